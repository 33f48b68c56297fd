import Domain
import Foundation

/// ``StudentRecordStore``, ``TeachingStore`` and ``SchoolDirectoryStore`` over the main database.
///
/// Every query is filtered by the student, class or school it is asked about; the caller has already
/// decided with ``SchoolAccess`` that the viewer may ask.
public struct MariaSchoolworkStore: StudentRecordStore, TeachingStore, SchoolDirectoryStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    /// The columns of a class summary, over `classes c` joined to `courses co` and `terms t`. A constant.
    static let classColumns = """
        c.id, c.title, c.class_code, co.title AS course_title, t.title AS term_title,
        (SELECT GROUP_CONCAT(CONCAT(tu.given_name, ' ', tu.family_name) ORDER BY tu.family_name SEPARATOR '\\n')
           FROM enrollments te JOIN users tu ON tu.id = te.user_id
          WHERE te.class_id = c.id AND te.role = 'teacher' AND te.active AND tu.active) AS teachers
        """

    /// ``classColumns`` and the class's number of active students, for the lists that show it.
    private static let classColumnsWithCount =
        classColumns + """
            ,
            (SELECT COUNT(*) FROM enrollments se JOIN users su ON su.id = se.user_id
              WHERE se.class_id = c.id AND se.role = 'student' AND se.active AND su.active) AS students
            """

    static let userColumns = "u.id, u.role, u.given_name, u.family_name, u.email, u.username, u.grade_level, u.active"

    static func classSummary(_ row: Row) -> ClassSummary {
        ClassSummary(
            id: row.id("id")!, title: row.string("title") ?? "", courseTitle: row.string("course_title") ?? "",
            termTitle: row.string("term_title") ?? "", classCode: row.string("class_code"),
            teacherNames: (row.string("teachers") ?? "").split(separator: "\n").map(String.init),
            studentCount: row.hasColumn("students") ? row.int("students") : nil)
    }

    // MARK: StudentRecordStore

    /// Only the fact ``SchoolAccess/mayViewStudent(_:_:)`` consults for the viewer's role is looked up (a
    /// parent's guardianship, a teacher's shared class); the other reads as false. Each variant is a small
    /// statement the server plans quickly, which matters on the education API's hot path.
    public func relationship(of viewer: UserAccount, toStudent student: UserID) throws -> StudentRelationship? {
        let facts: SQLQuery =
            switch viewer.role {
            case .parent:
                """
                SELECT u.id, u.school_id, u.record_version, FALSE AS teaches,
                  EXISTS(SELECT 1 FROM guardianships g WHERE g.parent_id = \(viewer.id.rawValue) AND g.student_id = u.id) AS guardian
                FROM users u WHERE u.id = \(student.rawValue) AND u.role = 'student' AND u.active
                """
            case .teacher:
                """
                SELECT u.id, u.school_id, u.record_version, FALSE AS guardian,
                  EXISTS(SELECT 1 FROM enrollments es
                           JOIN enrollments et ON et.class_id = es.class_id
                           JOIN classes c ON c.id = es.class_id
                          WHERE es.user_id = u.id AND es.role = 'student' AND es.active
                            AND et.user_id = \(viewer.id.rawValue) AND et.role = 'teacher' AND et.active AND c.active) AS teaches
                FROM users u WHERE u.id = \(student.rawValue) AND u.role = 'student' AND u.active
                """
            case .student, .schoolAdmin, .platformAdmin:
                """
                SELECT u.id, u.school_id, u.record_version, FALSE AS guardian, FALSE AS teaches
                FROM users u WHERE u.id = \(student.rawValue) AND u.role = 'student' AND u.active
                """
            }
        guard let row = try database.query(facts).first, let school: SchoolID = row.id("school_id") else { return nil }
        return StudentRelationship(
            studentID: student, schoolID: school, isGuardian: row.flag("guardian"), teachesStudent: row.flag("teaches"),
            recordVersion: Int64(row.int("record_version") ?? 0))
    }

    public func student(_ id: UserID) throws -> PersonSummary? {
        try database.query(
            "SELECT \(unsafeRaw: Self.userColumns) FROM users u WHERE u.id = \(id.rawValue) AND u.role = 'student' AND u.active"
        ).first?.personSummary()
    }

    public func classes(ofStudent student: UserID) throws -> [ClassSummary] {
        try activeClasses(of: student, enrolledAs: "student", columns: Self.classColumns)
    }

    /// Active classes in which `user` has an active enrolment with `role` (`student` or `teacher`).
    private func activeClasses(of user: UserID, enrolledAs role: String, columns: String) throws -> [ClassSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: columns)
            FROM enrollments e JOIN classes c ON c.id = e.class_id
            JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE e.user_id = \(user.rawValue) AND e.role = \(role) AND e.active AND c.active
            ORDER BY c.title
            """
        ).map(Self.classSummary)
    }

    public func publishedGrades(ofStudent student: UserID) throws -> [GradeLine] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.gradeColumns)
            FROM grades g
            JOIN assessments a ON a.id = g.assessment_id
            JOIN classes c ON c.id = a.class_id
            JOIN enrollments e ON e.class_id = c.id AND e.user_id = g.student_id AND e.role = 'student' AND e.active
            WHERE g.student_id = \(student.rawValue) AND a.published AND c.active
            ORDER BY a.due_date DESC, a.id DESC
            """
        ).map(Self.gradeLine)
    }

    /// The columns a grade line is read with, over `grades g`, `assessments a` and `classes c`. A constant.
    static let gradeColumns = """
        c.id AS class_id, c.title AS class_title, a.id AS assessment_id, a.title AS assessment_title,
        a.due_date, a.max_score, g.score, g.comment, a.average_score AS class_average
        """

    static func gradeLine(_ row: Row) -> GradeLine {
        GradeLine(
            classID: row.id("class_id")!, classTitle: row.string("class_title") ?? "",
            assessmentID: row.id("assessment_id")!, assessmentTitle: row.string("assessment_title") ?? "",
            dueDate: row.calendarDate("due_date"), score: row.score("score") ?? Score(hundredths: 0),
            maxScore: row.score("max_score") ?? Score(hundredths: 0), classAverage: row.score("class_average"),
            comment: row.string("comment"))
    }

    /// Read backwards along `ix_attendance_student` (student, day, then the key's class) so the LIMIT stops
    /// the scan early. The class title comes from a primary-key subquery per row: with a join, the optimiser
    /// prefers scanning the few classes and sorting every mark first.
    public func attendance(ofStudent student: UserID, limit: Int) throws -> [AttendanceLine] {
        try database.query(
            """
            SELECT a.day, a.status, a.note, a.class_id, (SELECT c.title FROM classes c WHERE c.id = a.class_id) AS class_title
            FROM attendance a FORCE INDEX (ix_attendance_student)
            WHERE a.student_id = \(student.rawValue)
            ORDER BY a.day DESC, a.class_id DESC
            LIMIT \(limit)
            """
        ).compactMap { row in
            guard let day = row.calendarDate("day"), let status = AttendanceStatus(rawValue: row.string("status") ?? "")
            else { return nil }
            return AttendanceLine(
                day: day, classID: row.id("class_id")!, classTitle: row.string("class_title") ?? "", status: status,
                note: row.string("note"))
        }
    }

    public func attendanceCounts(ofStudent student: UserID) throws -> [AttendanceStatus: Int] {
        var counts: [AttendanceStatus: Int] = [:]
        for row in try database.query(
            "SELECT status, COUNT(*) AS n FROM attendance WHERE student_id = \(student.rawValue) GROUP BY status")
        {
            if let status = AttendanceStatus(rawValue: row.string("status") ?? "") { counts[status] = row.int("n") ?? 0 }
        }
        return counts
    }

    public func children(ofParent parent: UserID) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.userColumns)
            FROM guardianships g JOIN users u ON u.id = g.student_id
            WHERE g.parent_id = \(parent.rawValue) AND u.active AND u.role = 'student'
            ORDER BY u.family_name, u.given_name
            """
        ).map { $0.personSummary() }
    }

    // MARK: TeachingStore

    public func relationship(of viewer: UserAccount, toClass classID: ClassID) throws -> ClassRelationship? {
        let rows = try database.query(
            """
            SELECT c.school_id, c.active,
              EXISTS(SELECT 1 FROM enrollments e WHERE e.class_id = c.id AND e.user_id = \(viewer.id.rawValue)
                       AND e.role = 'teacher' AND e.active) AS teaches
            FROM classes c WHERE c.id = \(classID.rawValue)
            """)
        guard let row = rows.first, let school: SchoolID = row.id("school_id") else { return nil }
        return ClassRelationship(classID: classID, schoolID: school, teaches: row.flag("teaches"), active: row.flag("active"))
    }

    public func classes(taughtBy teacher: UserID) throws -> [ClassSummary] {
        try activeClasses(of: teacher, enrolledAs: "teacher", columns: Self.classColumnsWithCount)
    }

    public func classSummary(_ id: ClassID) throws -> ClassSummary? {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.classColumnsWithCount)
            FROM classes c JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE c.id = \(id.rawValue)
            """
        ).first.map(Self.classSummary)
    }

    public func roster(of classID: ClassID) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.userColumns)
            FROM enrollments e JOIN users u ON u.id = e.user_id
            WHERE e.class_id = \(classID.rawValue) AND e.role = 'student' AND e.active AND u.active
            ORDER BY u.family_name, u.given_name
            """
        ).map { $0.personSummary() }
    }

    public func assessments(of classID: ClassID) throws -> [Assessment] {
        try database.query(
            """
            SELECT a.id, a.class_id, a.title, a.max_score, a.due_date, a.published, a.graded_count AS graded,
                   -- an app's line item (OneRoster): its name, or its client id once the app is gone
                   IF(a.source_client_id IS NULL, NULL,
                      COALESCE((SELECT o.name FROM oauth_clients o WHERE o.client_id = a.source_client_id), a.source_client_id)) AS source_app
            FROM assessments a WHERE a.class_id = \(classID.rawValue)
            ORDER BY a.due_date DESC, a.id DESC
            """
        ).map(Self.assessment)
    }

    public func createAssessment(_ assessment: NewAssessment, in classID: ClassID, by teacher: UserID, now: Date) throws -> AssessmentID {
        let result = try database.execute(
            """
            INSERT INTO assessments (class_id, title, max_score, due_date, published, created_by, created_at, updated_at)
            VALUES (\(classID.rawValue), \(assessment.title), \(assessment.maxScore.decimalText),
                    \(assessment.dueDate?.description), FALSE, \(teacher.rawValue), \(now), \(now))
            """)
        return AssessmentID(result.insertID)
    }

    public func assessment(_ id: AssessmentID, in classID: ClassID) throws -> Assessment? {
        try database.query(
            """
            SELECT a.id, a.class_id, a.title, a.max_score, a.due_date, a.published, a.graded_count AS graded,
                   -- an app's line item (OneRoster): its name, or its client id once the app is gone
                   IF(a.source_client_id IS NULL, NULL,
                      COALESCE((SELECT o.name FROM oauth_clients o WHERE o.client_id = a.source_client_id), a.source_client_id)) AS source_app
            FROM assessments a WHERE a.id = \(id.rawValue) AND a.class_id = \(classID.rawValue)
            """
        ).first.map(Self.assessment)
    }

    private static func assessment(_ row: Row) -> Assessment {
        Assessment(
            id: row.id("id")!, classID: row.id("class_id")!, title: row.string("title") ?? "",
            maxScore: row.score("max_score") ?? Score(hundredths: 0), dueDate: row.calendarDate("due_date"),
            published: row.flag("published"), gradedCount: row.int("graded") ?? 0,
            sourceApp: row.string("source_app"))
    }

    public func grades(of assessment: AssessmentID) throws -> [UserID: GradeEntry] {
        var grades: [UserID: GradeEntry] = [:]
        for row in try database.query(
            "SELECT student_id, score, comment FROM grades WHERE assessment_id = \(assessment.rawValue)")
        {
            let student: UserID = row.id("student_id")!
            grades[student] = GradeEntry(studentID: student, score: row.score("score") ?? Score(hundredths: 0), comment: row.string("comment"))
        }
        return grades
    }

    public func saveGrades(
        _ entries: [GradeEntry], cleared: [UserID], assessment: AssessmentID, in classID: ClassID, by teacher: UserID, now: Date
    ) throws {
        try database.transaction { tx in
            try Self.saveGrades(tx, entries, cleared: cleared, assessment: assessment, in: classID, by: teacher, now: now)
        }
    }

    /// The body of ``saveGrades(_:cleared:assessment:in:by:now:)`` inside a caller's transaction (the API adds
    /// its outbox event to the same one).
    static func saveGrades(
        _ tx: Transaction, _ entries: [GradeEntry], cleared: [UserID], assessment: AssessmentID, in classID: ClassID, by teacher: UserID,
        now: Date
    ) throws {
        let owned = try tx.query(
            "SELECT id FROM assessments WHERE id = \(assessment.rawValue) AND class_id = \(classID.rawValue) FOR UPDATE")
        guard !owned.isEmpty else { throw StoreError(.constraint, detail: "assessment \(assessment) is not in class \(classID)") }
        let enrolled = try Self.enrolledStudents(tx, classID)
        for student in entries.map(\.studentID) + cleared where !enrolled.contains(student) {
            throw StoreError(.constraint, detail: "student \(student) is not on the roster of class \(classID)")
        }
        for entry in entries {
            try tx.execute(
                """
                INSERT INTO grades (assessment_id, student_id, score, comment, recorded_by, recorded_at)
                VALUES (\(assessment.rawValue), \(entry.studentID.rawValue), \(entry.score.decimalText), \(entry.comment),
                        \(teacher.rawValue), \(now))
                ON DUPLICATE KEY UPDATE
                    recorded_by = IF(score <=> VALUES(score) AND comment <=> VALUES(comment), recorded_by, VALUES(recorded_by)),
                    recorded_at = IF(score <=> VALUES(score) AND comment <=> VALUES(comment), recorded_at, VALUES(recorded_at)),
                    score = VALUES(score), comment = VALUES(comment)
                """)
        }
        for student in cleared {
            try tx.execute(
                "DELETE FROM grades WHERE assessment_id = \(assessment.rawValue) AND student_id = \(student.rawValue)")
        }
        try Self.bumpRecordVersions(tx, studentsOf: classID)
        // The stored average and count change with the grades, under the assessment's row lock taken above.
        try tx.execute(
            """
            UPDATE assessments SET updated_at = \(now),
                graded_count = (SELECT COUNT(*) FROM grades WHERE assessment_id = \(assessment.rawValue)),
                average_score = (SELECT ROUND(AVG(score), 2) FROM grades WHERE assessment_id = \(assessment.rawValue))
            WHERE id = \(assessment.rawValue)
            """)
    }

    public func setPublished(_ published: Bool, assessment: AssessmentID, in classID: ClassID, now: Date) throws {
        try database.transaction { tx in try Self.setPublished(tx, published, assessment: assessment, in: classID, now: now) }
    }

    /// The body of ``setPublished(_:assessment:in:now:)`` inside a caller's transaction.
    static func setPublished(_ tx: Transaction, _ published: Bool, assessment: AssessmentID, in classID: ClassID, now: Date) throws {
        let changed = try tx.execute(
            """
            UPDATE assessments SET published = \(published), updated_at = \(now)
            WHERE id = \(assessment.rawValue) AND class_id = \(classID.rawValue) AND published <> \(published)
            """)
        if changed.affectedRows > 0 { try Self.bumpRecordVersions(tx, studentsOf: classID) }
    }

    /// Marks the record pages of every student enrolled in a class as changed (see `users.record_version`).
    static func bumpRecordVersions(_ tx: Transaction, studentsOf classID: ClassID) throws {
        try tx.execute(
            """
            UPDATE users u JOIN enrollments e ON e.user_id = u.id
            SET u.record_version = u.record_version + 1
            WHERE e.class_id = \(classID.rawValue) AND e.role = 'student'
            """)
    }

    public func attendanceSheet(of classID: ClassID, on day: CalendarDate) throws -> [UserID: AttendanceMark] {
        var marks: [UserID: AttendanceMark] = [:]
        for row in try database.query(
            "SELECT student_id, status, note FROM attendance WHERE class_id = \(classID.rawValue) AND day = \(day.description)")
        {
            guard let student: UserID = row.id("student_id"), let status = AttendanceStatus(rawValue: row.string("status") ?? "")
            else { continue }
            marks[student] = AttendanceMark(studentID: student, status: status, note: row.string("note"))
        }
        return marks
    }

    public func saveAttendance(
        _ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, now: Date
    ) throws {
        try database.transaction { tx in try Self.saveAttendance(tx, marks, in: classID, on: day, by: teacher, now: now) }
    }

    /// The body of ``saveAttendance(_:in:on:by:now:)`` inside a caller's transaction.
    static func saveAttendance(
        _ tx: Transaction, _ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, now: Date
    ) throws {
        let enrolled = try Self.enrolledStudents(tx, classID)
        for mark in marks where !enrolled.contains(mark.studentID) {
            throw StoreError(.constraint, detail: "student \(mark.studentID) is not on the roster of class \(classID)")
        }
        for mark in marks {
            try tx.execute("UPDATE users SET record_version = record_version + 1 WHERE id = \(mark.studentID.rawValue)")
            try tx.execute(
                """
                INSERT INTO attendance (class_id, student_id, day, status, note, recorded_by, recorded_at)
                VALUES (\(classID.rawValue), \(mark.studentID.rawValue), \(day.description), \(mark.status.rawValue),
                        \(mark.note), \(teacher.rawValue), \(now))
                ON DUPLICATE KEY UPDATE
                    recorded_by = IF(status <=> VALUES(status) AND note <=> VALUES(note), recorded_by, VALUES(recorded_by)),
                    recorded_at = IF(status <=> VALUES(status) AND note <=> VALUES(note), recorded_at, VALUES(recorded_at)),
                    status = VALUES(status), note = VALUES(note)
                """)
        }
    }

    private static func enrolledStudents(_ tx: Transaction, _ classID: ClassID) throws -> Set<UserID> {
        Set(
            try tx.query(
                """
                SELECT e.user_id FROM enrollments e JOIN users u ON u.id = e.user_id
                WHERE e.class_id = \(classID.rawValue) AND e.role = 'student' AND e.active AND u.active
                """
            ).compactMap { $0.id("user_id") })
    }

    // MARK: SchoolDirectoryStore

    public func school(_ id: SchoolID) throws -> (name: String, sourcedID: String)? {
        guard let row = try database.query("SELECT name, sourced_id FROM schools WHERE id = \(id.rawValue)").first else { return nil }
        return (row.string("name") ?? "", row.string("sourced_id") ?? "")
    }

    public func users(of school: SchoolID, role: Role?, limit: Int, offset: Int) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.userColumns) FROM users u
            WHERE u.school_id = \(school.rawValue) AND (\(role?.rawValue) IS NULL OR u.role = \(role?.rawValue))
            ORDER BY u.active DESC, u.family_name, u.given_name, u.id
            LIMIT \(limit) OFFSET \(offset)
            """
        ).map { $0.personSummary() }
    }

    public func userCounts(of school: SchoolID) throws -> [Role: Int] {
        var counts: [Role: Int] = [:]
        for row in try database.query(
            "SELECT role, COUNT(*) AS n FROM users WHERE school_id = \(school.rawValue) AND active GROUP BY role")
        {
            if let role = Role(rawValue: row.string("role") ?? "") { counts[role] = row.int("n") ?? 0 }
        }
        return counts
    }

    public func classes(of school: SchoolID) throws -> [ClassSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: Self.classColumnsWithCount)
            FROM classes c JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE c.school_id = \(school.rawValue)
            ORDER BY c.active DESC, c.title
            """
        ).map(Self.classSummary)
    }

    public func recentImports(of school: SchoolID, limit: Int) throws -> [(at: Date, by: String, source: String, summary: String)] {
        try database.query(
            """
            SELECT created_at, started_by, source, summary FROM roster_imports
            WHERE school_id = \(school.rawValue) ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """
        ).map { ($0.date("created_at") ?? .distantPast, $0.string("started_by") ?? "", $0.string("source") ?? "", $0.string("summary") ?? "") }
    }
}
