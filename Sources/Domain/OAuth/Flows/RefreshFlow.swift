import Crypto
import Foundation

/// The `refresh_token` grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2), after the
/// client authenticated:
///
/// 1. the token has the shape of a refresh token;
/// 2. a `scope` parameter may only narrow (``RefreshPolicy/scopes(requested:granted:)``), checked before
///    anything changes so a refused request leaves the token usable; fewer scopes narrow the new access token
///    only, the refresh token keeps the grant's;
/// 3. one store transaction rotates it (``TokenStore/rotateRefreshToken(digest:client:replacement:now:grace:)``)
///    into a pair derived from it (``TokenDerivation``): a confidential client's retry within the grace window
///    after a rotation whose answer was lost gets that same pair again, while the new refresh token is unused
///    (logged as a warning); a public client, which proves nothing but its `client_id`, gets `invalid_grant`, so a
///    stolen refresh token alone never yields the live pair; a reuse after the window revokes the grant;
/// 4. the grant's user must still be active, or the grant is revoked;
/// 5. with `openid`, a new ID token (OIDC Core §12.2), without `nonce`. It carries the `sid` of the browser session
///    the grant came from while that session is alive (Back-Channel Logout 1.0 §2.4: the app matches logout tokens
///    to its sessions by `sid`). Once the session has ended (signed out, or past its idle or absolute limit) the ID
///    token has no `sid`: the grant outlives it because refresh tokens are only issued with `offline_access`, which
///    Back-Channel Logout 1.0 §2.7 says normally survives a logout (and "sign out of this device" revokes the grant
///    instead), but it is no longer tied to a session the app could be told has ended, and the app has already been
///    sent the logout token for the old `sid`.
///
/// A refresh token bound to a DPoP key (a public client's, RFC 9449 §5) is only accepted with a proof by that key,
/// checked before anything changes (`invalid_grant` otherwise, the token stays usable); the new access token is
/// bound to the proof's key.
public struct RefreshFlow {
    let tokens: any TokenStore
    let lifetimes: TokenLifetimes
    let rotationKey: SymmetricKey
    let idTokens: IDTokenSettings
    let signer: any IDTokenSigner
    let activeUser: (UserID) throws -> UserAccount?
    let sessionPolicy: SessionPolicy?
    let grantSession: (GrantID) throws -> GrantSession?

    /// A flow over the token store; `activeUser` finds an active account by id (`nil` when deactivated);
    /// `grantSession` finds the session a grant was issued under (``LogoutStore/session(ofGrant:)``), judged alive by
    /// `sessionPolicy` (`nil`: refreshed ID tokens carry no `sid`).
    public init(
        tokens: any TokenStore, lifetimes: TokenLifetimes, rotationKey: SymmetricKey, idTokens: IDTokenSettings,
        signer: any IDTokenSigner, activeUser: @escaping (UserID) throws -> UserAccount?, sessionPolicy: SessionPolicy? = nil,
        grantSession: @escaping (GrantID) throws -> GrantSession? = { _ in nil }
    ) {
        self.sessionPolicy = sessionPolicy
        self.grantSession = grantSession
        self.tokens = tokens
        self.lifetimes = lifetimes
        self.rotationKey = rotationKey
        self.idTokens = idTokens
        self.signer = signer
        self.activeUser = activeUser
    }

    /// Rotates `refreshToken` for `client`.
    public func run(
        refreshToken: String, scopes requested: [String]?, client: OAuthClient, now: Date, binding: TokenBinding? = nil
    ) throws -> TokenFlowOutcome {
        let invalid = OAuthError.invalidGrant("The refresh token is invalid, expired or revoked.")
        guard SecretToken.isWellFormed(refreshToken, prefix: TokenPrefix.refreshToken) else { return .refused(invalid) }
        let digest = SecretToken.digest(refreshToken)
        var narrowed: [String]?
        // Only a live token's scopes are checked here: anything else goes to the store, which detects reuse.
        if let current = try tokens.token(digest: digest), current.clientID == client.clientID, current.isActive(at: now) {
            if let bound = current.confirmation, bound != binding?.thumbprint {
                return .refused(
                    .invalidGrant(
                        "The refresh token is bound to a DPoP key: send a DPoP proof signed with that key.",
                        logDetail: binding == nil ? "no DPoP proof for a bound refresh token" : "DPoP key differs from the refresh token's"))
            }
            guard requested != nil else { return try rotate(refreshToken, digest: digest, narrowed: nil, client: client, now: now, binding: binding) }
            switch RefreshPolicy.scopes(requested: requested, granted: current.scopes) {
            case .failure(let error): return .refused(error)
            case .success(let value): narrowed = Set(value) == Set(current.scopes) ? nil : value
            }
        }
        return try rotate(refreshToken, digest: digest, narrowed: narrowed, client: client, now: now, binding: binding)
    }

    private func rotate(
        _ refreshToken: String, digest: [UInt8], narrowed: [String]?, client: OAuthClient, now: Date, binding: TokenBinding?
    ) throws -> TokenFlowOutcome {
        let invalid = OAuthError.invalidGrant("The refresh token is invalid, expired or revoked.")
        let minted = MintedTokens.rotation(
            of: refreshToken, key: rotationKey, accessScopes: narrowed, lifetimes: lifetimes, now: now, binding: binding)
        let rotation = try tokens.rotateRefreshToken(
            digest: digest, client: client.clientID, replacement: minted.records, now: now, grace: lifetimes.refreshReuseGrace,
            absoluteLifetime: lifetimes.refreshAbsolute)
        let old: StoredToken
        let scopes: [String]
        let accessExpiresIn: TimeInterval
        var alert: String?
        switch rotation {
        case .rotated(let token):
            (old, scopes, accessExpiresIn) = (token, narrowed ?? token.scopes, lifetimes.accessToken)
        case .repeated(let token, let access):
            guard client.kind == .confidential else {
                return .refused(.invalidGrant("The refresh token was already used.", logDetail: "a public client's retry within grace"))
            }
            (old, scopes, accessExpiresIn) = (token, access.scopes, access.expiresAt.timeIntervalSince(now))
            alert = "refresh retried within the grace window: the same pair was answered again (grant \(token.grantID))"
        case .reuseDetected:
            return .refused(invalid, alert: "rotated refresh token reused: grant revoked")
        case .alreadyRotated:
            return .refused(.invalidGrant("The refresh token was already used."))
        case .invalid:
            return .refused(invalid)
        }
        guard let userID = old.userID, let user = try activeUser(userID) else {
            try tokens.revokeGrant(old.grantID, now: now)
            return .refused(invalid)
        }
        var idToken: String?
        if scopes.contains("openid") {
            // No sign-in happened here: neither `auth_time` nor `amr` is stated (OIDC Core §12.2 requires neither).
            idToken = try idTokens.idToken(
                user: user.id, client: client, authTime: nil, methods: [], nonce: nil, now: now, signer: signer,
                sessionDigest: try liveSessionDigest(of: old.grantID, now: now))
        }
        return .issued(minted.response(scopes: scopes, accessExpiresIn: accessExpiresIn, idToken: idToken), alert: alert)
    }

    /// The digest of the grant's session while it is alive (item 5), else `nil`.
    private func liveSessionDigest(of grant: GrantID, now: Date) throws -> [UInt8]? {
        guard let sessionPolicy, let session = try grantSession(grant), session.isAlive(under: sessionPolicy, now: now) else { return nil }
        return session.digest
    }
}
