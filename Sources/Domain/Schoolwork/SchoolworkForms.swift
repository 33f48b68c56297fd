import Foundation

/// Validation of what teachers type: every problem is reported next to its field and nothing is saved
/// unless the whole form is valid.
public enum SchoolworkForms {
    /// Longest assessment title.
    public static let maxTitleLength = 200
    /// Longest grade comment or attendance note.
    public static let maxNoteLength = 500
    /// Largest maximum score an assessment may have.
    public static let maxScoreLimit = Score(hundredths: 100_000)

    /// Problems by field name, as ``Message``s (the app shows them in the page's language).
    public struct FieldErrors: Error, Equatable, Sendable, ExpressibleByDictionaryLiteral {
        /// The problem of each field.
        public var problems: [String: Message]
        public init(dictionaryLiteral elements: (String, Message)...) {
            problems = Dictionary(elements, uniquingKeysWith: { first, _ in first })
        }
        public subscript(_ field: String) -> Message? {
            get { problems[field] }
            set { problems[field] = newValue }
        }
        public var isEmpty: Bool { problems.isEmpty }
        /// The problems in English (JSON APIs, logs, the command line).
        public var messages: [String: String] { problems.mapValues(\.english) }
    }

    /// A problem with a single value, safe to show.
    public struct Problem: Error, Equatable, Sendable {
        /// What is wrong, as a ``Message``.
        public let problem: Message
        public init(_ problem: Message) { self.problem = problem }
        /// The problem in English (JSON APIs, logs, the command line).
        public var message: String { problem.english }
    }

    /// A new assessment from its form fields.
    public static func assessment(title: String, maxScore: String, dueDate: String) -> Result<NewAssessment, FieldErrors> {
        var errors: FieldErrors = [:]
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { errors["title"] = Message("schoolwork.error.title", "Give the assessment a title.") }
        if title.count > maxTitleLength { errors["title"] = .atMostCharacters(maxTitleLength) }
        let max = Score(maxScore)
        if let max, max.hundredths > 0, max <= maxScoreLimit {
        } else {
            errors["max_score"] = Message(
                "schoolwork.error.max_score", "Enter a number above 0 and at most \(maxScoreLimit), with at most two decimals.",
                ["max": "\(maxScoreLimit)"])
        }
        let trimmedDue = dueDate.trimmingCharacters(in: .whitespaces)
        let due = trimmedDue.isEmpty ? nil : CalendarDate(trimmedDue)
        if !trimmedDue.isEmpty, due == nil {
            errors["due_date"] = Message("schoolwork.error.due_date", "Enter a real date as YYYY-MM-DD, or leave it empty.")
        }
        guard errors.isEmpty, let max else { return .failure(errors) }
        return .success(NewAssessment(title: title, maxScore: max, dueDate: due))
    }

    /// One student's row of a grade sheet as submitted.
    public struct GradeInput: Sendable {
        public let studentID: UserID
        public let score: String
        public let comment: String
        public init(studentID: UserID, score: String, comment: String) {
            self.studentID = studentID
            self.score = score
            self.comment = comment
        }
    }

    /// A grade sheet: filled scores become entries, empty scores clear a previous grade. Errors are keyed by
    /// `score-<id>` / `comment-<id>`.
    public static func gradeSheet(_ rows: [GradeInput], maxScore: Score) -> Result<(entries: [GradeEntry], cleared: [UserID]), FieldErrors> {
        var errors: FieldErrors = [:]
        var entries: [GradeEntry] = []
        var cleared: [UserID] = []
        for row in rows {
            let scoreText = row.score.trimmingCharacters(in: .whitespaces)
            let comment = row.comment.trimmingCharacters(in: .whitespacesAndNewlines)
            if comment.count > maxNoteLength { errors["comment-\(row.studentID)"] = .atMostCharacters(maxNoteLength) }
            if scoreText.isEmpty {
                if !comment.isEmpty {
                    errors["score-\(row.studentID)"] = Message("schoolwork.error.score_for_comment", "Enter a score to go with the comment.")
                }
                cleared.append(row.studentID)
                continue
            }
            guard let score = Score(scoreText), score <= maxScore else {
                errors["score-\(row.studentID)"] = Message(
                    "schoolwork.error.score", "Enter a number from 0 to \(maxScore), with at most two decimals.", ["max": "\(maxScore)"])
                continue
            }
            entries.append(GradeEntry(studentID: row.studentID, score: score, comment: comment.isEmpty ? nil : comment))
        }
        return errors.isEmpty ? .success((entries, cleared)) : .failure(errors)
    }

    /// One student's row of an attendance sheet as submitted.
    public struct AttendanceInput: Sendable {
        public let studentID: UserID
        public let status: String
        public let note: String
        public init(studentID: UserID, status: String, note: String) {
            self.studentID = studentID
            self.status = status
            self.note = note
        }
    }

    /// An attendance sheet: rows without a status are left unrecorded. Errors keyed by `status-<id>` / `note-<id>`.
    public static func attendanceSheet(_ rows: [AttendanceInput]) -> Result<[AttendanceMark], FieldErrors> {
        var errors: FieldErrors = [:]
        var marks: [AttendanceMark] = []
        for row in rows {
            let note = row.note.trimmingCharacters(in: .whitespacesAndNewlines)
            if note.count > maxNoteLength { errors["note-\(row.studentID)"] = .atMostCharacters(maxNoteLength) }
            if row.status.isEmpty {
                if !note.isEmpty {
                    errors["status-\(row.studentID)"] = Message("schoolwork.error.status_for_note", "Choose a status to go with the note.")
                }
                continue
            }
            guard let status = AttendanceStatus(rawValue: row.status) else {
                errors["status-\(row.studentID)"] = Message("schoolwork.error.status", "Choose present, absent, late or excused.")
                continue
            }
            marks.append(AttendanceMark(studentID: row.studentID, status: status, note: note.isEmpty ? nil : note))
        }
        return errors.isEmpty ? .success(marks) : .failure(errors)
    }

    /// The day of an attendance sheet: a real date, not after `today`.
    public static func attendanceDay(_ text: String?, today: CalendarDate) -> Result<CalendarDate, Problem> {
        guard let text, !text.isEmpty else { return .success(today) }
        guard let day = CalendarDate(text) else {
            return .failure(Problem(Message("schoolwork.error.day", "The date must be a real day written as YYYY-MM-DD.")))
        }
        guard day <= today else {
            return .failure(
                Problem(
                    Message("schoolwork.error.future_day", "Attendance cannot be taken for a day after today (\(today)).", ["today": "\(today)"])))
        }
        return .success(day)
    }
}
