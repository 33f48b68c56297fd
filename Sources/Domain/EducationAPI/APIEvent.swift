import Foundation

/// A thin webhook event waiting in the outbox for delivery (DESIGN §8: type, time and ids, no personal data).
/// Sync delivers them later; the API only records them, in the transaction of the write they describe.
public struct APIEvent: Sendable, Equatable {
    /// `grade.published`, `attendance.recorded`.
    public let type: String
    /// The app whose call caused it.
    public let clientID: ClientID
    /// The school the data belongs to.
    public let schoolID: SchoolID
    /// The class.
    public let classID: ClassID
    /// The assessment, for grade events.
    public let assessmentID: AssessmentID?
    /// The day, for attendance events.
    public let day: CalendarDate?
    /// The students whose records changed.
    public let studentIDs: [UserID]
    /// When.
    public let occurredAt: Date

    /// An event.
    public init(
        type: String, clientID: ClientID, schoolID: SchoolID, classID: ClassID, assessmentID: AssessmentID? = nil,
        day: CalendarDate? = nil, studentIDs: [UserID], occurredAt: Date
    ) {
        self.type = type
        self.clientID = clientID
        self.schoolID = schoolID
        self.classID = classID
        self.assessmentID = assessmentID
        self.day = day
        self.studentIDs = studentIDs
        self.occurredAt = occurredAt
    }
}
