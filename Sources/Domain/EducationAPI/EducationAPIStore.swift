import Foundation

/// The education API's reads and writes. Lists are keyset pages: rows after `after` in the list's order, at
/// most `limit` (callers ask for one more to learn whether a next page exists). Every read is filtered by
/// the record it is asked about; callers have first decided with ``SchoolAccess`` that the token's user may
/// ask about it.
public protocol EducationAPIStore {
    /// The unrevoked API key with this keyed digest (``APIKey/digest(key:hmacKey:)``) of a client that is
    /// active, with its scopes cut to those the client is allowed now; `nil` otherwise. Keys reach this
    /// database with sync.
    func apiKey(digest: [UInt8]) throws -> (id: Int64, clientID: ClientID, scopes: [String])?
    /// Active classes of a student, by class id.
    func classes(ofStudent student: UserID, after: ClassID?, limit: Int) throws -> [ClassSummary]
    /// Grades of published assessments of a student's active classes, by assessment id, newest first.
    func publishedGrades(ofStudent student: UserID, before: AssessmentID?, limit: Int) throws -> [GradeLine]
    /// A student's attendance marks between `from` and `to` (inclusive, either open), newest day first, then
    /// by class id descending; `before` is the (day, class) of the last mark of the previous page.
    func attendance(
        ofStudent student: UserID, from: CalendarDate?, to: CalendarDate?, before: (day: CalendarDate, classID: ClassID)?, limit: Int
    ) throws -> [AttendanceLine]
    /// Active students linked to a parent, by id.
    func children(ofParent parent: UserID, after: UserID?, limit: Int) throws -> [PersonSummary]
    /// Actively enrolled active students of a class, by id.
    func roster(of classID: ClassID, after: UserID?, limit: Int) throws -> [PersonSummary]
    /// The class an assessment belongs to; `nil` when there is no such assessment.
    func classOfAssessment(_ id: AssessmentID) throws -> ClassID?
    /// In one transaction: upserts the day's marks, stores `event` in the outbox and appends the call's
    /// data-access log entries `log`. Students not on the roster: `StoreError(.constraint)` and nothing is written.
    func recordAttendance(
        _ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, event: APIEvent, log: [DataAccessEntry],
        now: Date) throws
    /// In one transaction: upserts the grades, publishes the assessment when `publish`, stores `event` in the
    /// outbox when the assessment is published afterwards, and appends the call's data-access log entries `log`.
    /// Returns whether it is published. Students not on the roster: `StoreError(.constraint)` and nothing is written.
    func recordGrades(
        _ entries: [GradeEntry], assessment: AssessmentID, in classID: ClassID, by teacher: UserID, publish: Bool, event: APIEvent,
        log: [DataAccessEntry], now: Date
    ) throws -> Bool
    /// Events in the outbox, oldest first (for sync, and for tests).
    func pendingEvents(limit: Int) throws -> [APIEvent]
}
