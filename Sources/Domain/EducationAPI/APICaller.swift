/// Who is calling the education API: the principal behind the credential, the app, and what it may do.
///
/// Today the credential is an OAuth access token; the principal is the user who granted it, or the app itself
/// for a client_credentials token. API keys (issued on the developer portal, brought to the main database by
/// sync) will authenticate as ``Principal/application`` with the key's scopes and need no new case.
public struct APICaller: Sendable, Equatable {
    /// Whose authority the call carries.
    public enum Principal: Sendable, Equatable {
        /// A user granted the app access to their data.
        case user(UserAccount)
        /// The app acts for itself (client_credentials or an API key): only app-level scopes apply.
        case application
    }

    /// The principal.
    public let principal: Principal
    /// The calling app.
    public let clientID: ClientID
    /// The scopes the credential carries.
    public let scopes: Set<String>
    /// The API key used, by its id in the developers database; `nil` for an access token.
    public let apiKeyID: Int64?

    /// A caller.
    public init(principal: Principal, clientID: ClientID, scopes: Set<String>, apiKeyID: Int64? = nil) {
        self.apiKeyID = apiKeyID
        self.principal = principal
        self.clientID = clientID
        self.scopes = scopes
    }

    /// The user, for a user principal.
    public var user: UserAccount? {
        if case .user(let user) = principal { return user }
        return nil
    }
}

/// The scope check of an education API call, made before any record is read (RFC 6750 §3.1).
public enum APIScopeCheck {
    /// What to do with the call.
    public enum Decision: Sendable, Equatable {
        /// The credential may use the endpoint; relationships decide which records.
        case proceed
        /// The endpoint serves no record this principal could relate to: 404, like a record outside it.
        case notFound
        /// 403 `insufficient_scope`, naming the scope that would open it.
        case missingScope(String)
        /// An app-level credential on an endpoint about people: 401 `invalid_token`.
        case needsUser
    }

    /// Decides for `endpoint` and `caller`. Public endpoints never get here.
    public static func decide(_ endpoint: APIEndpoint, _ caller: APICaller) -> Decision {
        switch caller.principal {
        case .user(let user):
            guard let scope = endpoint.scope(for: user.role) else { return .notFound }
            return caller.scopes.contains(scope) ? .proceed : .missingScope(scope)
        case .application:
            guard let scope = endpoint.appScope else { return .needsUser }
            return caller.scopes.contains(scope) ? .proceed : .missingScope(scope)
        }
    }
}
