import Domain
import Foundation

/// ``EducationAPIStore`` over the main database. Every list is one keyset range over an index that leads with
/// the record it is asked about (the student, the parent, the class), so a page costs the same wherever it is
/// in the list.
public struct MariaEducationAPIStore: EducationAPIStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func apiKey(digest: [UInt8]) throws -> (id: Int64, clientID: ClientID, scopes: [String])? {
        guard
            let row = try database.query(
                """
                SELECT k.source_id, k.scopes, c.client_id, c.allowed_scopes FROM api_keys k JOIN oauth_clients c ON c.id = k.client_pk
                WHERE k.key_digest = \(digest) AND k.revoked_at IS NULL AND c.status = 'active'
                """
            ).first, let id = row.int("source_id"), let client = row.string("client_id")
        else { return nil }
        // A key never carries more than its app may have now: a narrowed approval narrows existing keys too.
        let allowed = row.scopeSet("allowed_scopes")
        return (Int64(id), ClientID(client), row.scopeList("scopes").filter(allowed.contains))
    }

    public func classes(ofStudent student: UserID, after: ClassID?, limit: Int) throws -> [ClassSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaSchoolworkStore.classColumns)
            FROM enrollments e JOIN classes c ON c.id = e.class_id
            JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id
            WHERE e.user_id = \(student.rawValue) AND e.role = 'student' AND e.active AND c.active AND c.id > \(after?.rawValue ?? 0)
            ORDER BY c.id
            LIMIT \(limit)
            """
        ).map(MariaSchoolworkStore.classSummary)
    }

    /// Walks `ix_grades_student` (student, then the primary key's assessment id) backwards, so the page is
    /// read in order and the LIMIT stops the scan (no sort); the join order is fixed, each further step a
    /// primary-key lookup, which also keeps the statement cheap to plan on every call.
    public func publishedGrades(ofStudent student: UserID, before: AssessmentID?, limit: Int) throws -> [GradeLine] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaSchoolworkStore.gradeColumns)
            FROM grades g FORCE INDEX (ix_grades_student)
            STRAIGHT_JOIN assessments a ON a.id = g.assessment_id
            STRAIGHT_JOIN classes c ON c.id = a.class_id
            STRAIGHT_JOIN enrollments e ON e.class_id = a.class_id AND e.user_id = g.student_id
            WHERE g.student_id = \(student.rawValue) AND g.assessment_id < \(before?.rawValue ?? Int64.max) AND a.published AND c.active
              AND e.role = 'student' AND e.active
            ORDER BY g.assessment_id DESC
            LIMIT \(limit)
            """
        ).map(MariaSchoolworkStore.gradeLine)
    }

    /// Walks `ix_attendance_student` (student, day) backwards like the record page does; the class title is a
    /// primary-key subquery per row for the same reason (see ``MariaSchoolworkStore/attendance(ofStudent:limit:)``).
    public func attendance(
        ofStudent student: UserID, from: CalendarDate?, to: CalendarDate?, before: (day: CalendarDate, classID: ClassID)?, limit: Int
    ) throws -> [AttendanceLine] {
        let lastDay = before?.day.description
        return try database.query(
            """
            SELECT a.day, a.status, a.note, a.class_id, (SELECT c.title FROM classes c WHERE c.id = a.class_id) AS class_title
            FROM attendance a FORCE INDEX (ix_attendance_student)
            WHERE a.student_id = \(student.rawValue)
              AND a.day >= \(from?.description ?? "1900-01-01") AND a.day <= \(to?.description ?? "2999-12-31")
              AND (\(lastDay) IS NULL OR a.day < \(lastDay) OR (a.day = \(lastDay) AND a.class_id < \(before?.classID.rawValue ?? 0)))
            ORDER BY a.day DESC, a.class_id DESC
            LIMIT \(limit)
            """
        ).compactMap { row in
            guard let day = row.calendarDate("day"), let status = AttendanceStatus(rawValue: row.string("status") ?? "") else { return nil }
            return AttendanceLine(
                day: day, classID: row.id("class_id")!, classTitle: row.string("class_title") ?? "", status: status, note: row.string("note"))
        }
    }

    public func children(ofParent parent: UserID, after: UserID?, limit: Int) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaSchoolworkStore.userColumns)
            FROM guardianships g JOIN users u ON u.id = g.student_id
            WHERE g.parent_id = \(parent.rawValue) AND u.active AND u.role = 'student' AND g.student_id > \(after?.rawValue ?? 0)
            ORDER BY g.student_id
            LIMIT \(limit)
            """
        ).map { $0.personSummary() }
    }

    public func roster(of classID: ClassID, after: UserID?, limit: Int) throws -> [PersonSummary] {
        try database.query(
            """
            SELECT \(unsafeRaw: MariaSchoolworkStore.userColumns)
            FROM enrollments e JOIN users u ON u.id = e.user_id
            WHERE e.class_id = \(classID.rawValue) AND e.role = 'student' AND e.active AND u.active AND e.user_id > \(after?.rawValue ?? 0)
            ORDER BY e.user_id
            LIMIT \(limit)
            """
        ).map { $0.personSummary() }
    }

    public func classOfAssessment(_ id: AssessmentID) throws -> ClassID? {
        try database.query("SELECT class_id FROM assessments WHERE id = \(id.rawValue)").first?.id("class_id")
    }

    public func recordAttendance(
        _ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, event: APIEvent, log: [DataAccessEntry],
        now: Date
    ) throws {
        try database.transaction { tx in
            try MariaSchoolworkStore.saveAttendance(tx, marks, in: classID, on: day, by: teacher, now: now)
            try Self.insert(event, tx)
            for append in MariaDataAccessLogStore.appendQueries(log) { try tx.execute(append) }
        }
    }

    public func recordGrades(
        _ entries: [GradeEntry], assessment: AssessmentID, in classID: ClassID, by teacher: UserID, publish: Bool, event: APIEvent,
        log: [DataAccessEntry], now: Date
    ) throws -> Bool {
        try database.transaction { tx in
            try MariaSchoolworkStore.saveGrades(tx, entries, cleared: [], assessment: assessment, in: classID, by: teacher, now: now)
            if publish { try MariaSchoolworkStore.setPublished(tx, true, assessment: assessment, in: classID, now: now) }
            // Read under the row lock saveGrades took, so the event matches what students can now see.
            let published = try tx.query("SELECT published FROM assessments WHERE id = \(assessment.rawValue)").first?.flag("published") ?? false
            if published { try Self.insert(event, tx) }
            for append in MariaDataAccessLogStore.appendQueries(log) { try tx.execute(append) }
            return published
        }
    }

    private static func insert(_ event: APIEvent, _ tx: Transaction) throws {
        try tx.execute(
            """
            INSERT INTO api_event_outbox (event_type, occurred_at, client_id, school_id, class_id, assessment_id, day, student_ids)
            VALUES (\(event.type), \(event.occurredAt), \(event.clientID.rawValue), \(event.schoolID.rawValue), \(event.classID.rawValue),
                    \(event.assessmentID?.rawValue), \(event.day?.description), \(event.studentIDs.map(\.description).joined(separator: ",")))
            """)
    }

    public func pendingEvents(limit: Int) throws -> [APIEvent] {
        try database.query(
            """
            SELECT event_type, occurred_at, client_id, school_id, class_id, assessment_id, day, student_ids
            FROM api_event_outbox WHERE delivered_at IS NULL ORDER BY id LIMIT \(limit)
            """
        ).compactMap { row in
            guard let type = row.string("event_type"), let at = row.date("occurred_at"), let client = row.string("client_id"),
                let school: SchoolID = row.id("school_id"), let classID: ClassID = row.id("class_id")
            else { return nil }
            return APIEvent(
                type: type, clientID: ClientID(client), schoolID: school, classID: classID, assessmentID: row.id("assessment_id"),
                day: row.calendarDate("day"),
                studentIDs: (row.string("student_ids") ?? "").split(separator: ",").compactMap { UserID(String($0)) }, occurredAt: at)
        }
    }
}
