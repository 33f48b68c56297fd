import Foundation

/// One education API call as the data-access log keeps it (FERPA's record of disclosures): which app, whose
/// data, which endpoint, when, and the outcome.
public struct DataAccessEntry: Sendable, Equatable {
    /// When the call was answered.
    public let occurredAt: Date
    /// The app.
    public let clientID: ClientID
    /// The user who granted the token (`nil` for app-level credentials).
    public let actorID: UserID?
    /// The student (or user) whose data it was, when the call was about one person the caller may see;
    /// `nil` for class-wide calls and for refused calls (a refused id is not recorded against anyone).
    public let subjectID: UserID?
    /// The school whose data it was, for the school's view.
    public let schoolID: SchoolID?
    /// The operation (``APIEndpoint/Operation``).
    public let operation: String
    /// Method and path, e.g. `GET /api/v1/students/42/grades` (no query string).
    public let request: String
    /// The HTTP status of the answer.
    public let status: Int
    /// The API key the call was made with (its id in the developers database), for the key's usage figures;
    /// `nil` for calls with an access token.
    public let apiKeyID: Int64?
    /// Whether this is the call's first entry (a call concerning several people has one entry each): usage
    /// figures count calls by these.
    public let firstOfCall: Bool

    /// An entry.
    public init(
        occurredAt: Date, clientID: ClientID, actorID: UserID?, subjectID: UserID?, schoolID: SchoolID?, operation: String,
        request: String, status: Int, apiKeyID: Int64? = nil, firstOfCall: Bool = true
    ) {
        self.apiKeyID = apiKeyID
        self.firstOfCall = firstOfCall
        self.occurredAt = occurredAt
        self.clientID = clientID
        self.actorID = actorID
        self.subjectID = subjectID
        self.schoolID = schoolID
        self.operation = operation
        self.request = request
        self.status = status
    }
}

/// A log entry as pages show it: with the app's and the data subject's names.
public struct DataAccessRecord: Sendable, Equatable {
    /// The entry.
    public let entry: DataAccessEntry
    /// The app's name (its client id when it is gone).
    public let appName: String
    /// The subject's "Given Family", when there is one.
    public let subjectName: String?

    /// A record.
    public init(entry: DataAccessEntry, appName: String, subjectName: String?) {
        self.entry = entry
        self.appName = appName
        self.subjectName = subjectName
    }

    /// "Study Buddy read Ana Okafor's grades" (the date is the page's to format).
    public var sentence: String {
        let verb =
            entry.status >= 400
            ? "was refused" : (EducationAPI.endpoints.first { $0.operation.rawValue == entry.operation }?.writes == true ? "wrote" : "read")
        let what = EducationAPI.endpoints.first { $0.operation.rawValue == entry.operation }?.dataLabel ?? "data"
        guard let subjectName else { return "\(appName) \(verb) \(what)" }
        return "\(appName) \(verb) \(subjectName)'s \(what)"
    }
}

/// The data-access log in the main database. A call's entries are written before it is answered: a read's in one
/// statement right after the read, a write's in the write's own transaction (``EducationAPIStore``), so no answer
/// carries data that is not on record and a worker that dies loses nothing.
public protocol DataAccessLogStore {
    /// Appends entries in one statement (durably committed when it returns); throws ``StoreError`` when they are
    /// not written, and then none of them is.
    func append(_ entries: [DataAccessEntry]) throws
    /// Entries about any of `subjects`, newest first, at most `limit`.
    func entries(aboutAnyOf subjects: [UserID], limit: Int) throws -> [DataAccessRecord]
    /// Entries of a school, newest first, at most `limit`.
    func entries(ofSchool school: SchoolID, limit: Int) throws -> [DataAccessRecord]
    /// Deletes entries older than `before`, at most `limit` per call; returns how many.
    func purge(before: Date, limit: Int) throws -> Int
}
