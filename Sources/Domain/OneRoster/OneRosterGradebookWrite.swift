import Foundation

/// A line item an app puts (`PUT /lineItems/{sourcedId}`, gradebook.createput): it becomes an assessment of the class
/// in the teacher's gradebook, from that app: a draft until the teacher publishes it, or published at once when the
/// school chose so (``AppResultsPublication``).
public struct OneRosterLineItemPut: Sendable, Equatable {
    /// The app's id for it.
    public let sourcedID: String
    /// The title.
    public let title: String
    /// The class, by sourcedId.
    public let classSourcedID: String
    /// The due day, if any.
    public let dueDate: CalendarDate?
    /// The highest score (`resultValueMax`); the lowest is always 0.
    public let maxScore: Score

    /// Checks what the body said. `pathID` is the `{sourcedId}` of the path; a body `sourcedId` must equal it.
    public static func validate(
        pathID: String, sourcedID: String?, title: String?, classSourcedID: String?, dueDate: String?, resultValueMin: Double?,
        resultValueMax: Double?
    ) -> Result<OneRosterLineItemPut, OneRosterFailure> {
        if let problem = OneRosterWrites.idProblem(pathID, bodyID: sourcedID) { return .failure(.invalidData(problem)) }
        guard let title = title?.trimmingCharacters(in: .whitespaces), !title.isEmpty, title.count <= 200 else {
            return .failure(.invalidData("lineItem.title is required, at most 200 characters."))
        }
        guard let classSourcedID, !classSourcedID.isEmpty, classSourcedID.utf8.count <= 255 else {
            return .failure(.invalidData("lineItem.class.sourcedId is required."))
        }
        var due: CalendarDate?
        if let dueDate {
            // The specification writes dueDate as a date-time; the gradebook keeps the day.
            guard let day = CalendarDate(String(dueDate.prefix(10))), dueDate.count == 10 || OneRosterField.instant(dueDate) != nil else {
                return .failure(.invalidData("lineItem.dueDate must be a day (YYYY-MM-DD) or an ISO 8601 date-time."))
            }
            due = day
        }
        if let minimum = resultValueMin, minimum != 0 {
            return .failure(.invalidData("lineItem.resultValueMin must be 0: CatalystWells scores start at 0."))
        }
        guard let maximum = resultValueMax, let score = OneRosterWrites.score(maximum), score.hundredths > 0 else {
            return .failure(.invalidData("lineItem.resultValueMax is required: a number above 0, at most 99999.99, with at most two decimals."))
        }
        return .success(OneRosterLineItemPut(sourcedID: pathID, title: title, classSourcedID: classSourcedID, dueDate: due, maxScore: score))
    }
}

/// A result an app puts (`PUT /results/{sourcedId}`): a grade of one of the app's line items for a student on the
/// class's roster, landing in the teacher's gradebook like the teacher's own grades.
public struct OneRosterResultPut: Sendable, Equatable {
    /// The app's id for it.
    public let sourcedID: String
    /// The app's line item.
    public let lineItemSourcedID: String
    /// The student, by sourcedId.
    public let studentSourcedID: String
    /// The score.
    public let score: Score
    /// The comment, if any.
    public let comment: String?

    /// Checks what the body said (see ``OneRosterLineItemPut/validate(pathID:sourcedID:title:classSourcedID:dueDate:resultValueMin:resultValueMax:)``).
    public static func validate(
        pathID: String, sourcedID: String?, lineItem: String?, student: String?, score: Double?, scoreStatus: String?, comment: String?
    ) -> Result<OneRosterResultPut, OneRosterFailure> {
        if let problem = OneRosterWrites.idProblem(pathID, bodyID: sourcedID) { return .failure(.invalidData(problem)) }
        guard let lineItem, !lineItem.isEmpty, lineItem.utf8.count <= 255 else {
            return .failure(.invalidData("result.lineItem.sourcedId is required."))
        }
        guard let student, !student.isEmpty, student.utf8.count <= 255 else {
            return .failure(.invalidData("result.student.sourcedId is required."))
        }
        if let scoreStatus, !["fully graded", "partially graded", "submitted"].contains(scoreStatus) {
            return .failure(.invalidData("result.scoreStatus must be fully graded, partially graded or submitted: CatalystWells keeps a score."))
        }
        guard let value = score, let parsed = OneRosterWrites.score(value) else {
            return .failure(.invalidData("result.score is required: a number from 0 to 99999.99 with at most two decimals."))
        }
        if let comment, comment.count > 500 { return .failure(.invalidData("result.comment is longer than 500 characters.")) }
        return .success(
            OneRosterResultPut(
                sourcedID: pathID, lineItemSourcedID: lineItem, studentSourcedID: student, score: parsed,
                comment: comment.flatMap { $0.isEmpty ? nil : $0 }))
    }
}

/// What a put did.
public enum OneRosterPutOutcome: Sendable, Equatable {
    /// A new object (201), in this school, concerning this person (a result's student).
    case created(SchoolID, UserID?)
    /// An existing object of the app replaced (200).
    case replaced(SchoolID, UserID?)
    /// The class, line item or student is unknown to the app, or the student is not on the class's roster (404).
    case notFound
    /// The put contradicts what is held (400 `invaliddata`), for this reason.
    case refused(String)
}

enum OneRosterWrites {
    /// Why a path id (and the body's id, when it gives one) cannot name an object the app puts; `nil` when it can.
    static func idProblem(_ pathID: String, bodyID: String?) -> String? {
        if pathID.isEmpty || pathID.utf8.count > 255 { return "The sourcedId must be 1 to 255 bytes." }
        // Teachers' own assessments are `assessment-<id>`: an app's id must not look like one.
        if pathID.hasPrefix("assessment-") { return "sourcedIds starting with assessment- are CatalystWells' own; choose another." }
        if let bodyID, bodyID != pathID { return "The body's sourcedId must be the one in the path." }
        return nil
    }

    /// A score from a JSON number: 0 to 99999.99 with at most two decimals.
    static func score(_ value: Double) -> Score? {
        guard value.isFinite, value >= 0, value <= 99_999.99 else { return nil }
        let hundredths = (value * 100).rounded()
        guard abs(hundredths - value * 100) < 1e-6 else { return nil }
        return Score(hundredths: Int(hundredths))
    }
}
