import Foundation

/// AGS 2.0 §3.4.7 `activityProgress`.
public enum LTIActivityProgress: String, Sendable, Equatable, CaseIterable {
    /// Not started.
    case initialized = "Initialized"
    /// Started.
    case started = "Started"
    /// In progress.
    case inProgress = "InProgress"
    /// Submitted, may be resubmitted.
    case submitted = "Submitted"
    /// Finished.
    case completed = "Completed"
}

/// AGS 2.0 §3.4.8 `gradingProgress`.
public enum LTIGradingProgress: String, Sendable, Equatable, CaseIterable {
    /// Grading is complete: the score is the final grade.
    case fullyGraded = "FullyGraded"
    /// Final grading is pending, no person is needed.
    case pending = "Pending"
    /// Final grading needs a person.
    case pendingManual = "PendingManual"
    /// Grading could not be completed.
    case failed = "Failed"
    /// There is nothing to grade yet.
    case notReady = "NotReady"
}

/// A score a tool posts (`POST …/lineitems/{id}/scores`, AGS 2.0 §3.4), checked.
public struct LTIScorePost: Sendable, Equatable {
    /// `userId`: the person's `sub` for the tool.
    public var userID: String
    /// `scoreGiven` and `scoreMaximum`, both or neither.
    public var given: (score: Double, maximum: Double)?
    /// `comment`.
    public var comment: String?
    /// `timestamp`.
    public var timestamp: Date
    /// `activityProgress`.
    public var activityProgress: LTIActivityProgress
    /// `gradingProgress`.
    public var gradingProgress: LTIGradingProgress

    /// The longest comment kept (the gradebook's).
    public static let maximumCommentLength = 500

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.userID == rhs.userID && lhs.given?.score == rhs.given?.score && lhs.given?.maximum == rhs.given?.maximum
            && lhs.comment == rhs.comment && lhs.timestamp == rhs.timestamp && lhs.activityProgress == rhs.activityProgress
            && lhs.gradingProgress == rhs.gradingProgress
    }

    /// A checked score.
    public init(
        userID: String, given: (score: Double, maximum: Double)?, comment: String? = nil, timestamp: Date, activityProgress: LTIActivityProgress,
        gradingProgress: LTIGradingProgress
    ) {
        self.userID = userID
        self.given = given
        self.comment = comment
        self.timestamp = timestamp
        self.activityProgress = activityProgress
        self.gradingProgress = gradingProgress
    }

    /// Checks a body's fields (AGS 2.0 §3.4): `userId`, `timestamp` (ISO 8601 with an offset), `activityProgress` and
    /// `gradingProgress` from their vocabularies are required; `scoreGiven` (at least 0) needs `scoreMaximum` (above
    /// 0); a comment is at most 500 characters.
    public static func validate(
        userID: String?, scoreGiven: Double?, scoreMaximum: Double?, comment: String?, timestamp: String?, activityProgress: String?,
        gradingProgress: String?
    ) -> Result<LTIScorePost, LTIServiceFailure> {
        guard let userID, !userID.isEmpty, userID.utf8.count <= 255 else { return .failure(.invalid("userId is required.")) }
        guard let timestamp, let instant = LTITimestamp.parse(timestamp) else {
            return .failure(.invalid("timestamp is required: an ISO 8601 date-time with a time zone offset."))
        }
        guard let activity = activityProgress.flatMap(LTIActivityProgress.init(rawValue:)) else {
            return .failure(.invalid("activityProgress is required: one of \(LTIActivityProgress.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        guard let grading = gradingProgress.flatMap(LTIGradingProgress.init(rawValue:)) else {
            return .failure(.invalid("gradingProgress is required: one of \(LTIGradingProgress.allCases.map(\.rawValue).joined(separator: ", "))."))
        }
        var given: (score: Double, maximum: Double)?
        if let scoreGiven {
            guard scoreGiven.isFinite, scoreGiven >= 0 else { return .failure(.invalid("scoreGiven must be a number of at least 0.")) }
            guard let scoreMaximum, scoreMaximum.isFinite, scoreMaximum > 0 else {
                return .failure(.invalid("scoreMaximum is required with scoreGiven: a number above 0."))
            }
            given = (scoreGiven, scoreMaximum)
        } else if let scoreMaximum, !scoreMaximum.isFinite || scoreMaximum <= 0 {
            return .failure(.invalid("scoreMaximum must be a number above 0."))
        }
        if let comment, comment.count > maximumCommentLength {
            return .failure(.invalid("comment is longer than \(maximumCommentLength) characters."))
        }
        return .success(
            LTIScorePost(
                userID: userID, given: given, comment: comment.flatMap { $0.isEmpty ? nil : $0 }, timestamp: instant, activityProgress: activity,
                gradingProgress: grading))
    }
}

/// What a posted score does to the gradebook (AGS 2.0 §3.4.8, §3.4.10).
public enum LTIScoreDecision: Sendable, Equatable {
    /// FullyGraded with a score: the student's grade in the line item's assessment becomes this (scaled to the line
    /// item's `scoreMaximum`), with the comment.
    case grade(Score, comment: String?)
    /// FullyGraded without a score: there is no score for the student now, so their grade is removed.
    case clear
    /// Any other grading progress: the progress and timestamp are recorded, the grade is left as it is (the
    /// gradebook shows final grades only; a score not yet final is not one).
    case recordOnly
    /// The stored score is newer (409, nothing written): "the platform MUST NOT update a result if the last
    /// timestamp on record is later than the incoming score update" (§3.4.10).
    case stale
    /// Refused (400, nothing written), for this reason.
    case refused(String)
}

/// The rules of a posted score.
public enum LTIScoreRules {
    /// The decision for `score` on a line item of `lineItemMaximum`, when the last score recorded for the student
    /// has the timestamp `stored`. An equal timestamp is accepted (a tool must not send two, §3.4.10, so it is a
    /// retry). A score above its `scoreMaximum` is refused: the gradebook holds no extra credit (a grade is at most
    /// the assessment's maximum, which the teacher's own grading also keeps).
    public static func decide(_ score: LTIScorePost, lineItemMaximum: Score, stored: Date?) -> LTIScoreDecision {
        if let stored, stored > score.timestamp { return .stale }
        guard score.gradingProgress == .fullyGraded else { return .recordOnly }
        guard let given = score.given else { return .clear }
        guard given.score <= given.maximum else {
            return .refused("scoreGiven is above scoreMaximum: this gradebook holds no extra credit.")
        }
        let scaled = given.score / given.maximum * Double(lineItemMaximum.hundredths)
        let hundredths = min(Int(scaled.rounded()), lineItemMaximum.hundredths)
        return .grade(Score(hundredths: hundredths), comment: score.comment)
    }

    /// A score from a JSON number: 0 to 99999.99 with at most two decimals; `nil` otherwise.
    public static func exactScore(_ value: Double) -> Score? {
        guard value.isFinite, value >= 0, value <= 99_999.99 else { return nil }
        let hundredths = (value * 100).rounded()
        guard abs(hundredths - value * 100) < 1e-6 else { return nil }
        return Score(hundredths: Int(hundredths))
    }
}

/// What posting a score did.
public enum LTIScoreOutcome: Sendable, Equatable {
    /// Written as decided (``LTIScoreDecision/grade(_:comment:)``, ``LTIScoreDecision/clear`` or
    /// ``LTIScoreDecision/recordOnly``); the school of the class, for the data-access log.
    case written(LTIScoreDecision, SchoolID)
    /// Nothing written: ``LTIScoreDecision/stale`` or ``LTIScoreDecision/refused(_:)``.
    case declined(LTIScoreDecision)
    /// No such line item of the tool in the class, or the person is not one of its students.
    case notFound
}

/// A student's result in a line item (AGS 2.0 §3.3): their grade in its assessment, as the gradebook holds it (the
/// teacher may have changed what the tool sent).
public struct LTIResult: Sendable, Equatable {
    /// The student.
    public var student: UserID
    /// `resultScore`.
    public var score: Score
    /// `resultMaximum`: the line item's.
    public var maximum: Score
    /// `comment`.
    public var comment: String?

    /// A result.
    public init(student: UserID, score: Score, maximum: Score, comment: String?) {
        self.student = student
        self.score = score
        self.maximum = maximum
        self.comment = comment
    }

    /// The result JSON (`application/vnd.ims.lis.v2.resultcontainer+json` entries): `id` and `scoreOf` name the
    /// line item's results and the line item; `userId` is the student's `sub` for the tool.
    public func json(lineItemURL: String, userID: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(lineItemURL + "/results?user_id=" + FormCodec.encode(userID))), ("scoreOf", .string(lineItemURL)),
            ("userId", .string(userID)), ("resultScore", score.json), ("resultMaximum", maximum.json),
        ]
        if let comment { fields.append(("comment", .string(comment))) }
        return .object(fields)
    }
}

/// ISO 8601 date-times as AGS sends them (`2026-12-07T21:30:00.123456+00:00`, `…Z`, `…+0000`), to the microsecond,
/// read without a formatter so every platform reads them alike.
public enum LTITimestamp {
    /// The instant, or `nil` when the text is not a date-time with seconds and an offset.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), let hour = number(11, 2),
            bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var microseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 6 { microseconds = microseconds * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0, digits <= 9 else { return nil }
            for _ in min(digits, 6)..<6 { microseconds *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            guard let hours = number(index + 1, 2), hours < 24 else { return nil }
            let minutes: Int?
            if index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":") {
                minutes = number(index + 4, 2)
            } else if index + 5 == bytes.count {
                minutes = number(index + 3, 2)
            } else {
                minutes = nil
            }
            guard let minutes, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        let seconds = daysFromEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(microseconds) / 1_000_000)
    }

    /// The instant in UTC, to the second when whole and to the millisecond otherwise (`2026-12-07T21:30:00Z`).
    public static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        formatter.formatOptions = whole ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    private static func daysFromEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
