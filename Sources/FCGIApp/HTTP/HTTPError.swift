import Domain

/// An error a handler throws to answer with a status and a message, in JSON or HTML as the path calls for.
///
/// Two faces: ``code`` and ``publicMessage`` go to the client, ``logDetail`` only to the log.
struct HTTPError: Error, Sendable {
    /// The status code.
    let status: Int
    /// A short machine-readable code (`not_found`, `invalid_request`, …).
    let code: String
    /// A message for the person or developer on the other side.
    let publicMessage: String
    /// Private detail for the log.
    let logDetail: String?
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    let headers: [(String, String)]

    init(status: Int, code: String, _ publicMessage: String, logDetail: String? = nil, headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.publicMessage = publicMessage
        self.logDetail = logDetail
        self.headers = headers
    }

    static func notFound() -> HTTPError {
        HTTPError(status: 404, code: "not_found", "There is nothing at this address.")
    }

    /// A member of an app's organisation tried what their role does not permit (``OrganisationRole``).
    static func roleForbids(_ action: OrganisationAction) -> HTTPError {
        HTTPError(
            status: 403, code: "forbidden",
            "Your role in this app's organisation does not allow this; ask an \(action.minimumRole == .owner ? "owner" : "admin") of the organisation."
        )
    }

    static func methodNotAllowed(_ allowed: [String]) -> HTTPError {
        HTTPError(
            status: 405, code: "method_not_allowed", "This address does not accept that method.",
            headers: [("Allow", allowed.joined(separator: ", "))])
    }

    static func unavailable() -> HTTPError {
        HTTPError(
            status: 503, code: "temporarily_unavailable",
            "The service cannot reach its database right now. Please try again in a moment.",
            headers: [("Retry-After", "5")])
    }
}
