import Crypto
import Foundation

/// The tokens of one token response: the values handed to the client once, and the records (digests only) the
/// store keeps.
public struct MintedTokens: Sendable {
    /// The access token (`cw_at_…`).
    public let accessToken: String
    /// The refresh token (`cw_rt_…`), when the grant gets one.
    public let refreshToken: String?
    /// What the store keeps: the digests, kinds, expiries and the access token's narrowed scopes.
    public let records: [NewToken]
    /// Whether the access token is DPoP-bound (the response's `token_type` is then `DPoP`, RFC 9449 §5).
    public let isDPoPBound: Bool

    /// Fresh random tokens (256 bits each) issued at `now`.
    ///
    /// - Parameter accessScopes: the access token's scopes when narrower than the grant's (a refresh that asked
    ///   for fewer, RFC 6749 §6); `nil` for the grant's own.
    /// - Parameter binding: the DPoP key the tokens are bound to (RFC 9449 §5), `nil` for bearer tokens.
    public static func random(
        refresh: Bool, accessScopes: [String]? = nil, lifetimes: TokenLifetimes, now: Date, binding: TokenBinding? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> MintedTokens {
        let access = SecretToken.make(prefix: TokenPrefix.accessToken, using: &generator)
        let refreshToken = refresh ? SecretToken.make(prefix: TokenPrefix.refreshToken, using: &generator) : nil
        return MintedTokens(
            access: access, refresh: refreshToken, accessScopes: accessScopes, lifetimes: lifetimes, now: now, binding: binding)
    }

    /// The replacement pair of a refresh token, derived from it (``TokenDerivation``): the same presented token
    /// always gives the same pair, so a retry after a lost answer can be given that pair again.
    public static func rotation(
        of presented: String, key: SymmetricKey, accessScopes: [String]?, lifetimes: TokenLifetimes, now: Date,
        binding: TokenBinding? = nil
    ) -> MintedTokens {
        MintedTokens(
            access: TokenDerivation.token(prefix: TokenPrefix.accessToken, from: presented, purpose: "access", key: key),
            refresh: TokenDerivation.token(prefix: TokenPrefix.refreshToken, from: presented, purpose: "refresh", key: key),
            accessScopes: accessScopes, lifetimes: lifetimes, now: now, binding: binding)
    }

    private init(
        access: String, refresh: String?, accessScopes: [String]?, lifetimes: TokenLifetimes, now: Date, binding: TokenBinding?
    ) {
        accessToken = access
        refreshToken = refresh
        isDPoPBound = binding != nil
        var records = [
            NewToken(
                digest: SecretToken.digest(access), kind: .access, expiresAt: now.addingTimeInterval(lifetimes.accessToken),
                scopes: accessScopes, confirmation: binding?.thumbprint)
        ]
        if let refresh {
            records.append(
                NewToken(
                    digest: SecretToken.digest(refresh), kind: .refresh,
                    // Never past the grant's absolute end, which starts now for a new grant.
                    expiresAt: now.addingTimeInterval(min(lifetimes.refreshToken, lifetimes.refreshAbsolute)),
                    confirmation: binding?.bindsRefreshToken == true ? binding?.thumbprint : nil))
        }
        self.records = records
    }

    /// The records to store, without the refresh token's when `refresh` is `false`.
    public func records(refresh: Bool) -> [NewToken] { refresh ? records : records.filter { $0.kind == .access } }

    /// The RFC 6749 §5.1 answer carrying these tokens (without the refresh token when `refresh` is `false`).
    public func response(scopes: [String], accessExpiresIn: TimeInterval, idToken: String? = nil, refresh: Bool = true) -> TokenResponse {
        TokenResponse(
            accessToken: accessToken, expiresIn: max(0, Int(accessExpiresIn.rounded(.down))), scopes: scopes,
            refreshToken: refresh ? refreshToken : nil, idToken: idToken, tokenType: isDPoPBound ? "DPoP" : "Bearer")
    }
}

/// The DPoP key that a token request proved possession of (RFC 9449 §5), and what it binds.
public struct TokenBinding: Sendable, Equatable {
    /// The key's JWK thumbprint (`cnf.jkt`).
    public let thumbprint: String
    /// Whether the refresh token is bound too: only a public client's (RFC 9449 §5: a confidential client's refresh
    /// token is already bound to its client authentication).
    public let bindsRefreshToken: Bool

    /// A binding for the tokens of `client`.
    public init(thumbprint: String, client: OAuthClient) {
        self.thumbprint = thumbprint
        bindsRefreshToken = client.kind == .public
    }
}

/// A successful token response (RFC 6749 §5.1; OIDC Core §3.1.3.3), rendered as JSON by the route.
public struct TokenResponse: Sendable, Equatable, CustomStringConvertible {
    /// `access_token`.
    public let accessToken: String
    /// `token_type`: `Bearer` (RFC 6750), or `DPoP` for a DPoP-bound access token (RFC 9449 §5).
    public let tokenType: String
    /// `expires_in`, whole seconds.
    public let expiresIn: Int
    /// `scope`, always sent (RFC 6749 §5.1 requires it when it differs from the request; sending it always is
    /// simpler for clients).
    public let scopes: [String]
    /// `refresh_token`.
    public let refreshToken: String?
    /// `id_token`.
    public let idToken: String?

    /// A response.
    public init(
        accessToken: String, expiresIn: Int, scopes: [String], refreshToken: String?, idToken: String?, tokenType: String = "Bearer"
    ) {
        self.tokenType = tokenType
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.scopes = scopes
        self.refreshToken = refreshToken
        self.idToken = idToken
    }

    /// Never prints the tokens.
    public var description: String { "TokenResponse(scope: \(ScopeRegistry.parameter(scopes)), <redacted>)" }
}

/// Refresh-token rotation with a derived replacement, so that a retry after a lost answer within the grace window
/// (``TokenLifetimes/refreshReuseGrace``; RFC 9700 §4.14.2 asks for rotation and reuse detection and leaves such a
/// window to the server) is answered instead of breaking the client. The replacement of a presented refresh token
/// is HMAC-SHA256 of it under a server key, so:
/// - the same presented token always gives the same new pair: a client whose answer was lost and that retries
///   within the grace window receives that pair again instead of `invalid_grant`;
/// - nobody without the key can compute a replacement from a token (the key is derived from `oauth.key_file`
///   and never stored in the database), and a database dump still holds only digests;
/// - a pair is only handed out again while its refresh token is unused (the store checks), so a retry can never
///   resurrect a family that moved on.
public enum TokenDerivation {
    /// `prefix` followed by base64url(HMAC-SHA256(key, purpose ‖ 0x00 ‖ presented)): 256 bits, the shape of a
    /// random token of that prefix.
    public static func token(prefix: String, from presented: String, purpose: String, key: SymmetricKey) -> String {
        var message = Array(purpose.utf8)
        message.append(0)
        message.append(contentsOf: presented.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return prefix + SecretToken.base64URL(Array(mac))
    }
}
