import Domain
import Foundation

/// One authenticated education API call as its handler sees it, and what the access log will record about it.
struct APICall {
    let endpoint: APIEndpoint
    let request: HTTPRequest
    let parameters: RouteParameters
    let context: RequestContext
    let caller: APICaller
    /// Whose data the answer carried or the call wrote, once the handler has established that the caller may: the
    /// student of a `/students/{id}` call, each child or student on a returned page, each student a write
    /// concerned. The access log gets one entry per person (``EducationAPIRoutes``), so each of them, their
    /// parents and the school see the call. (A class's teacher names come with the class as its label, and a
    /// school's name is no one's data: neither is recorded against a person.)
    private(set) var subjects: [UserID] = []
    /// Whose school's data it was.
    var school: SchoolID?
    /// Set by a write that appended the call's entries in its own transaction (``loggedInWrite(_:)``), so they are
    /// not appended again.
    private(set) var isLogged = false

    /// Records `people` as concerned by the call (each once, in order).
    mutating func concerns(_ people: some Sequence<UserID>) {
        for person in people where !subjects.contains(person) { subjects.append(person) }
    }

    /// Forgets who was concerned: a refused call (404) disclosed nothing about the id it named.
    mutating func concernsNobody() { subjects.removeAll() }

    /// The call's data-access log entries for an answer with `status`: one per person it concerned, the first
    /// marked ``DataAccessEntry/firstOfCall`` (usage counts calls by it), or one without a person when it
    /// concerned nobody (a school, a refusal).
    func accessLogEntries(status: Int, now: Date) -> [DataAccessEntry] {
        let request = "\(request.method) \(request.path)"
        let people: [UserID?] = subjects.isEmpty ? [nil] : subjects
        return people.enumerated().map { index, subject in
            DataAccessEntry(
                occurredAt: now, clientID: caller.clientID, actorID: caller.user?.id, subjectID: subject, schoolID: school,
                operation: endpoint.operation.rawValue, request: request, status: status, apiKeyID: caller.apiKeyID, firstOfCall: index == 0)
        }
    }

    /// The entries a successful write concerning `people` appends in its own transaction, so the write and its record
    /// commit together. Call ``loggedInWrite(_:)`` with the same people once the write succeeded.
    func writeLog(concerning people: [UserID]) -> [DataAccessEntry] {
        var written = self
        written.concerns(people)
        return written.accessLogEntries(status: 200, now: context.now)
    }

    /// Records that the write concerning `people` committed its log entries (``writeLog(concerning:)``).
    mutating func loggedInWrite(_ people: [UserID]) {
        concerns(people)
        isLogged = true
    }

    /// The caller's user; every endpoint except `/schools/{id}` has established that there is one.
    var user: UserAccount {
        get throws(APIFailure) {
            guard let user = caller.user else { throw APIFailure.notFound }
            return user
        }
    }

    /// A positive numeric id from a path segment; a malformed one is a 400 naming the segment.
    func id<Kind>(_ name: String = "id", as _: Kind.Type = Kind.self) throws(APIFailure) -> RecordID<Kind> {
        guard let text = parameters[name], let id = RecordID<Kind>(text) else {
            throw APIFailure.invalid([name: "Use the numeric id of the record (a positive whole number)."])
        }
        return id
    }

    /// The page a list call asks for (`limit`, `cursor`).
    func page(list: String, keyCount: Int = 1) throws(APIFailure) -> APIPage {
        switch APIPage.parse(limit: request.query["limit"], cursor: request.query["cursor"], list: list, keyCount: keyCount) {
        case .success(let page): return page
        case .failure(let errors): throw APIFailure.invalid(errors.messages)
        }
    }
}

/// An education API error: the status, the RFC 6750 / RFC 6749 style `error` and `error_description`, and
/// for bad input the problem of each field (`fields`).
struct APIFailure: Error {
    let status: Int
    let code: String
    let message: String
    let fields: [String: String]

    /// A record that does not exist or that the caller may not see: the same answer, so ids cannot be probed.
    static let notFound = APIFailure(
        status: 404, code: "not_found", message: "There is no such record, or this token may not see it.", fields: [:])

    /// Bad input: 400 with a message per field.
    static func invalid(_ fields: [String: String]) -> APIFailure {
        APIFailure(status: 400, code: "invalid_request", message: "The request has invalid fields; see fields.", fields: fields)
    }

    /// The JSON error response.
    var response: HTTPResponse {
        var body: [(String, JSONValue)] = [("error", .string(code)), ("error_description", .string(message))]
        if !fields.isEmpty {
            body.append(("fields", .object(fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        return OAuthHTTP.json(.object(body), status: status)
    }
}
