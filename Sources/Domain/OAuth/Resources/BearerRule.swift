import Foundation

/// What an access token stands for at the moment it is used, read in one lookup
/// (``BearerTokenStore/bearer(digest:)``).
public struct BearerRecord: Sendable, Equatable {
    /// The token, with its own scopes (narrowed at issue) or its grant's.
    public let token: StoredToken
    /// Its client's status now.
    public let clientStatus: OAuthClient.Status
    /// The scopes the client may be granted now: a platform re-approval that narrows an app narrows its
    /// existing tokens too.
    public let clientAllowedScopes: Set<String>
    /// The token's user when it has one and the account is active; `nil` for client_credentials tokens and
    /// for deactivated users (see ``hasUser``).
    public let user: UserAccount?
    /// The decision of the user's school about the client as ``SchoolAppPolicyStore/policy(school:client:)`` gives it
    /// (a school that requires agreements has the apps it has not decided about blocked); `nil` when it made none
    /// (or the token has no user, or the user no school).
    public let schoolPolicy: SchoolAppPolicy?

    /// A record.
    public init(
        token: StoredToken, clientStatus: OAuthClient.Status, clientAllowedScopes: Set<String>, user: UserAccount?,
        schoolPolicy: SchoolAppPolicy?
    ) {
        self.token = token
        self.clientStatus = clientStatus
        self.clientAllowedScopes = clientAllowedScopes
        self.user = user
        self.schoolPolicy = schoolPolicy
    }

    /// Whether the grant belongs to a user at all (active or not).
    public var hasUser: Bool { token.userID != nil }
}

/// A token that ``BearerRule`` accepted, with the scopes it carries now.
public struct AuthorizedToken: Sendable, Equatable {
    /// The token as stored.
    public let token: StoredToken
    /// Its active user; `nil` for a client's own token (client_credentials).
    public let user: UserAccount?
    /// The token's scopes as they stand now, in the token's order: those the client is still allowed and the
    /// user's school still lets the app have.
    public let scopes: [String]

    /// The client the token was issued to.
    public var clientID: ClientID { token.clientID }
}

/// How a resource received a token (RFC 9449 §7): as `Authorization: Bearer`, or as `Authorization: DPoP` with a
/// proof that ``DPoPProof/verify(_:method:uri:accessToken:nonce:now:)`` accepted (its key's thumbprint).
public enum TokenPresentation: Sendable, Equatable {
    case bearer
    case dpop(thumbprint: String)

    /// The thumbprint the token must be bound to: `nil` for a bearer token.
    var thumbprint: String? {
        if case .dpop(let thumbprint) = self { return thumbprint }
        return nil
    }
}

/// The one rule every resource applies to a presented token: userinfo (OIDC Core §5.3), introspection
/// (RFC 7662 §2.2) and the education API (RFC 6750). Checked at use time, so that what changed since the token
/// was issued counts at once:
///
/// 1. the token is known and of a kind the resource accepts (access tokens; introspection also refresh tokens);
/// 2. it is neither expired, revoked nor (refresh tokens) rotated;
/// 3. its client is active (a suspended or disabled app's tokens stop working);
/// 4. a token granted by a user needs that user to be active (a deactivated account ends every token);
/// 5. the user's school has not blocked the app (nor, requiring agreements, left it undecided);
/// 6. presented to a resource (`presentation` given), a DPoP-bound token (RFC 9449 §7.1) needs the `DPoP`
///    scheme with a verified proof by the key of its `cnf.jkt`, and a bearer token the `Bearer` scheme: a bound
///    token sent as a bearer token, or a bearer token sent with a proof, is refused;
/// 7. its scopes are cut to the client's current allowed scopes and the school's current scope limit
///    (RFC 9700 §2.3: privilege restriction) — a narrowed app or school limit applies to tokens issued before.
///
/// Anything failing 1–6 is "not a valid token", with one answer for every case (RFC 6750 §3.1 `invalid_token`,
/// RFC 7662 `active: false`), so the reason is not disclosed.
public enum BearerRule {
    /// The accepted token, or `nil`. `presentation` is how a resource received it; introspection, which asks
    /// about a token rather than uses it, passes `nil`.
    public static func authorize(
        _ record: BearerRecord?, now: Date, accepting kinds: Set<StoredToken.Kind> = [.access], presentation: TokenPresentation? = nil
    ) -> AuthorizedToken? {
        guard let record, kinds.contains(record.token.kind), record.token.isActive(at: now),
            record.clientStatus == .active
        else { return nil }
        if let presentation, record.token.confirmation != presentation.thumbprint { return nil }
        if record.hasUser && record.user == nil { return nil }
        let policy = record.schoolPolicy ?? .default
        guard policy.allowsAuthorization else { return nil }
        let scopes = record.token.scopes.filter { scope in
            record.clientAllowedScopes.contains(scope) && (policy.scopeLimit?.contains(scope) ?? true)
        }
        return AuthorizedToken(token: record.token, user: record.user, scopes: scopes)
    }
}
