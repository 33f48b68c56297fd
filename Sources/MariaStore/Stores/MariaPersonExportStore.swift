import Domain
import Foundation

/// ``PersonExportStore`` over main: one person's rows in every table that holds them, always joined to the school
/// the caller names.
public struct MariaPersonExportStore: PersonExportStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func person(_ id: UserID, in school: SchoolID) throws -> (role: Role, active: Bool)? {
        guard let row = try database.query("SELECT role, active FROM users WHERE id = \(id.rawValue) AND school_id = \(school.rawValue)").first,
            let role = Role(rawValue: row.string("role") ?? "")
        else { return nil }
        return (role, row.flag("active"))
    }

    public func record(of person: UserID, in school: SchoolID, logLimit: Int) throws -> PersonRecord? {
        guard
            let row = try database.query(
                """
                SELECT u.id, u.sourced_id, u.role, u.given_name, u.family_name, u.email, u.username, u.grade_level, u.active,
                       u.created_at, u.updated_at, u.password_hash IS NOT NULL AS has_password, u.password_changed_at,
                       s.name AS school_name, s.sourced_id AS school_sourced_id
                FROM users u JOIN schools s ON s.id = u.school_id
                WHERE u.id = \(person.rawValue) AND u.school_id = \(school.rawValue)
                """
            ).first, let role = Role(rawValue: row.string("role") ?? ""), let created = row.date("created_at"),
            let updated = row.date("updated_at")
        else { return nil }
        let id = person.rawValue
        var record = PersonRecord(
            profile: PersonRecord.Profile(
                id: person, sourcedID: row.string("sourced_id"), role: role, givenName: row.string("given_name") ?? "",
                familyName: row.string("family_name") ?? "", email: row.string("email"), username: row.string("username"),
                gradeLevel: row.string("grade_level"), active: row.flag("active"), schoolName: row.string("school_name") ?? "",
                schoolSourcedID: row.string("school_sourced_id") ?? "", createdAt: created, updatedAt: updated,
                hasPassword: row.flag("has_password"), passwordChangedAt: row.date("password_changed_at")))
        record.relatives = try database.query(
            """
            SELECT 'guardian' AS relation, p.id, p.sourced_id, p.given_name, p.family_name
            FROM guardianships g JOIN users p ON p.id = g.parent_id WHERE g.student_id = \(id) AND p.school_id = \(school.rawValue)
            UNION ALL
            SELECT 'child' AS relation, c.id, c.sourced_id, c.given_name, c.family_name
            FROM guardianships g JOIN users c ON c.id = g.student_id WHERE g.parent_id = \(id) AND c.school_id = \(school.rawValue)
            ORDER BY relation, family_name, given_name
            """
        ).compactMap { row in
            guard let relative: UserID = row.id("id") else { return nil }
            return PersonRecord.Relative(
                relation: row.string("relation") ?? "", id: relative, sourcedID: row.string("sourced_id"),
                givenName: row.string("given_name") ?? "", familyName: row.string("family_name") ?? "")
        }
        record.enrolments = try database.query(
            """
            SELECT c.id, c.sourced_id, c.title, co.title AS course_title, t.title AS term_title, e.role, e.active AND c.active AS active
            FROM enrollments e JOIN classes c ON c.id = e.class_id JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE e.user_id = \(id) AND c.school_id = \(school.rawValue)
            ORDER BY t.start_date DESC, c.title
            """
        ).compactMap { row in
            guard let classID: ClassID = row.id("id") else { return nil }
            return PersonRecord.Enrolment(
                classID: classID, classSourcedID: row.string("sourced_id") ?? "", classTitle: row.string("title") ?? "",
                courseTitle: row.string("course_title") ?? "", termTitle: row.string("term_title") ?? "", role: row.string("role") ?? "",
                active: row.flag("active"))
        }
        record.grades = try database.query(
            """
            SELECT c.title AS class_title, a.id AS assessment_id, a.title AS assessment_title, a.due_date, g.score, a.max_score,
                   g.comment, a.published, g.recorded_at
            FROM grades g JOIN assessments a ON a.id = g.assessment_id JOIN classes c ON c.id = a.class_id
            WHERE g.student_id = \(id) AND c.school_id = \(school.rawValue)
            ORDER BY a.due_date DESC, a.id DESC
            """
        ).compactMap { row in
            guard let assessment: AssessmentID = row.id("assessment_id"), let score = row.score("score"), let max = row.score("max_score"),
                let at = row.date("recorded_at")
            else { return nil }
            return PersonRecord.Grade(
                classTitle: row.string("class_title") ?? "", assessmentID: assessment, assessmentTitle: row.string("assessment_title") ?? "",
                dueDate: row.calendarDate("due_date"), score: score, maxScore: max, comment: row.string("comment"),
                published: row.flag("published"), recordedAt: at)
        }
        record.attendance = try database.query(
            """
            SELECT a.day, c.title AS class_title, a.status, a.note, a.recorded_at
            FROM attendance a JOIN classes c ON c.id = a.class_id
            WHERE a.student_id = \(id) AND c.school_id = \(school.rawValue)
            ORDER BY a.day DESC, c.title
            """
        ).compactMap { row in
            guard let day = row.calendarDate("day"), let status = AttendanceStatus(rawValue: row.string("status") ?? ""),
                let at = row.date("recorded_at")
            else { return nil }
            return PersonRecord.Attendance(
                day: day, classTitle: row.string("class_title") ?? "", status: status, note: row.string("note"), recordedAt: at)
        }
        record.apps = try database.query(
            """
            SELECT c.client_id, c.name, c.developer_name, k.scopes, k.first_granted_at, k.last_used_at, k.revoked_at
            FROM oauth_consents k JOIN oauth_clients c ON c.id = k.client_pk
            WHERE k.user_id = \(id) ORDER BY k.first_granted_at DESC
            """
        ).compactMap { row in
            guard let client = row.string("client_id"), let first = row.date("first_granted_at") else { return nil }
            return PersonRecord.ConnectedApp(
                clientID: client, name: row.string("name") ?? client, developerName: row.string("developer_name") ?? "",
                scopes: row.scopeList("scopes"), firstGrantedAt: first, lastUsedAt: row.date("last_used_at"), revokedAt: row.date("revoked_at"))
        }
        record.accessLog = try MariaDataAccessLogStore(database: database).entries(aboutAnyOf: [person], limit: logLimit)
        record.signIns = try database.query(
            """
            SELECT id, occurred_at, event, school_id, actor_id, subject_id, method, client_address, user_agent, detail
            FROM security_audit_log WHERE subject_id = \(id) ORDER BY occurred_at DESC, id DESC LIMIT \(max(logLimit, 0))
            """
        ).compactMap { row in
            guard let entryID = row.int("id"), let at = row.date("occurred_at"), let event = SecurityEvent(rawValue: row.string("event") ?? "")
            else { return nil }
            return SecurityAuditRecord(
                id: Int64(entryID),
                entry: SecurityAuditEntry(
                    occurredAt: at, event: event, school: row.id("school_id"), actor: row.id("actor_id"), subject: row.id("subject_id"),
                    method: row.string("method") ?? "", clientAddress: row.string("client_address") ?? "",
                    userAgent: row.string("user_agent") ?? "", detail: row.string("detail") ?? ""),
                actorName: nil, subjectName: nil)
        }
        return record
    }

    public func roster(of school: SchoolID, onlyClass: ClassID?) throws -> RosterExport? {
        guard let org = try database.query("SELECT sourced_id, name, identifier FROM schools WHERE id = \(school.rawValue)").first
        else { return nil }
        let classFilter: SQLQuery = onlyClass.map { (only: ClassID) -> SQLQuery in "AND c.id = \(only.rawValue)" } ?? ""
        let classes = try database.query(
            """
            SELECT c.id, c.sourced_id, c.title, c.class_code, c.active, co.sourced_id AS course, t.sourced_id AS term
            FROM classes c JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE c.school_id = \(school.rawValue) \(fragment: classFilter) ORDER BY c.sourced_id
            """)
        if onlyClass != nil, classes.isEmpty { return nil }
        let classIDs = classes.compactMap { $0.int("id") }
        let enrollmentRows: [Row] =
            classIDs.isEmpty
            ? []
            : try database.query(
                """
                SELECT e.sourced_id, c.sourced_id AS class, u.id AS user_id, COALESCE(u.sourced_id, CONCAT('cw-user-', u.id)) AS user, e.role,
                       e.active AND u.active AS active
                FROM enrollments e JOIN classes c ON c.id = e.class_id JOIN users u ON u.id = e.user_id
                WHERE e.class_id IN (\(list: classIDs)) AND u.school_id = \(school.rawValue)
                ORDER BY c.sourced_id, user
                """)
        var userFilter: SQLQuery = ""
        if let only = onlyClass?.rawValue {
            userFilter = """
                AND (u.id IN (SELECT user_id FROM enrollments WHERE class_id = \(only))
                     OR u.id IN (SELECT g.parent_id FROM guardianships g JOIN enrollments e ON e.user_id = g.student_id
                                 WHERE e.class_id = \(only) AND e.role = 'student'))
                """
        }
        let agents = try database.query(
            """
            SELECT g.parent_id, g.student_id, COALESCE(p.sourced_id, CONCAT('cw-user-', p.id)) AS parent,
                   COALESCE(s.sourced_id, CONCAT('cw-user-', s.id)) AS student
            FROM guardianships g JOIN users p ON p.id = g.parent_id JOIN users s ON s.id = g.student_id
            WHERE p.school_id = \(school.rawValue) AND s.school_id = \(school.rawValue)
            """)
        var agentIDs: [Int: [String]] = [:]
        for row in agents {
            guard let parent = row.int("parent_id"), let student = row.int("student_id") else { continue }
            agentIDs[student, default: []].append(row.string("parent") ?? "")
            agentIDs[parent, default: []].append(row.string("student") ?? "")
        }
        let users = try database.query(
            """
            SELECT u.id, COALESCE(u.sourced_id, CONCAT('cw-user-', u.id)) AS sourced_id, u.role, u.active, u.given_name, u.family_name,
                   u.email, COALESCE(u.username, u.sourced_id, CONCAT('cw-user-', u.id)) AS username, u.grade_level
            FROM users u WHERE u.school_id = \(school.rawValue) \(fragment: userFilter) ORDER BY u.family_name, u.given_name, u.id
            """
        ).compactMap { row -> RosterExport.User? in
            guard let id = row.int("id"), let role = Role(rawValue: row.string("role") ?? "") else { return nil }
            return RosterExport.User(
                id: UserID(Int64(id)), sourcedID: row.string("sourced_id") ?? "", role: role, enabled: row.flag("active"),
                givenName: row.string("given_name") ?? "", familyName: row.string("family_name") ?? "", email: row.string("email"),
                username: row.string("username") ?? "", gradeLevel: row.string("grade_level"), agentSourcedIDs: (agentIDs[id] ?? []).sorted())
        }
        // A class's file names only people in it: a parent's other children are left out of their agents.
        let listed = Set(users.map(\.sourcedID))
        let people = users.map { user -> RosterExport.User in
            var user = user
            user.agentSourcedIDs = user.agentSourcedIDs.filter(listed.contains)
            return user
        }
        let termFilter: SQLQuery =
            onlyClass.map { (only: ClassID) -> SQLQuery in "AND t.id IN (SELECT term_id FROM classes WHERE id = \(only.rawValue))" } ?? ""
        let courseFilter: SQLQuery =
            onlyClass.map { (only: ClassID) -> SQLQuery in "AND co.id IN (SELECT course_id FROM classes WHERE id = \(only.rawValue))" } ?? ""
        let terms = try database.query(
            """
            SELECT t.sourced_id, t.title, t.kind, t.start_date, t.end_date, t.active FROM terms t
            WHERE t.school_id = \(school.rawValue) \(fragment: termFilter) ORDER BY t.start_date, t.sourced_id
            """
        ).compactMap { row -> RosterExport.Term? in
            guard let start = row.calendarDate("start_date"), let end = row.calendarDate("end_date") else { return nil }
            return RosterExport.Term(
                sourcedID: row.string("sourced_id") ?? "", title: row.string("title") ?? "", kind: row.string("kind") ?? "term", start: start,
                end: end, active: row.flag("active"))
        }
        let courses = try database.query(
            """
            SELECT co.sourced_id, co.title, co.course_code, co.active FROM courses co
            WHERE co.school_id = \(school.rawValue) \(fragment: courseFilter) ORDER BY co.sourced_id
            """
        ).map {
            RosterExport.Course(
                sourcedID: $0.string("sourced_id") ?? "", title: $0.string("title") ?? "", courseCode: $0.string("course_code"),
                active: $0.flag("active"))
        }
        return RosterExport(
            org: RosterExport.Org(sourcedID: org.string("sourced_id") ?? "", name: org.string("name") ?? "", identifier: org.string("identifier")),
            users: people, terms: terms, courses: courses,
            classes: classes.map {
                RosterExport.Class(
                    sourcedID: $0.string("sourced_id") ?? "", title: $0.string("title") ?? "", classCode: $0.string("class_code"),
                    courseSourcedID: $0.string("course") ?? "", termSourcedID: $0.string("term") ?? "", active: $0.flag("active"))
            },
            enrollments: enrollmentRows.map {
                RosterExport.Enrollment(
                    sourcedID: $0.string("sourced_id"), classSourcedID: $0.string("class") ?? "", userSourcedID: $0.string("user") ?? "",
                    role: $0.string("role") ?? "student", active: $0.flag("active"))
            })
    }
}
