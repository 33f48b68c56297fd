import Crypto
import Foundation

/// What a token-endpoint flow ends with; the route renders it (RFC 6749 §5.1 on success, §5.2 on refusal).
public enum TokenFlowOutcome: Sendable, Equatable {
    /// Tokens were issued (or, for a retried refresh, issued again: then `alert` says so for the log).
    case issued(TokenResponse, alert: String? = nil)
    /// Refused with an RFC 6749 §5.2 error. `alert` names a security event the operator should see (a replayed
    /// code, a reused refresh token) in a warning; `nil` for ordinary refusals.
    case refused(OAuthError, alert: String? = nil)
}

/// Signs ID tokens with the current key. The flows build the claims; the site knows where keys live.
public protocol IDTokenSigner {
    /// The compact JWS of `claims`, signed with the current RS256 key (OIDC Core §2). Throws when there is no
    /// usable key.
    func sign(_ claims: IDTokenClaims) throws -> String
}

/// What every ID token of the provider shares.
public struct IDTokenSettings: Sendable {
    /// `iss`: the app site's URL, exactly as in discovery.
    public let issuer: String
    /// `exp - iat`.
    public let lifetime: TimeInterval
    /// `sub` as each client sees it.
    public let subjects: SubjectIdentifiers
    /// Keys `sid` (``SessionIdentifier``); `nil`: ID tokens carry no `sid`.
    public let sessionIDKey: SymmetricKey?

    /// Settings.
    public init(issuer: String, lifetime: TimeInterval, subjects: SubjectIdentifiers, sessionIDKey: SymmetricKey? = nil) {
        self.sessionIDKey = sessionIDKey
        self.issuer = issuer
        self.lifetime = lifetime
        self.subjects = subjects
    }

    /// The ID token for a user and client, signed by `signer` (OIDC Core §3.1.3.3 with a code, §12.2 on refresh).
    func idToken(
        user: UserID, client: OAuthClient, authTime: Date?, methods: [AuthenticationMethod], nonce: String?, now: Date,
        signer: any IDTokenSigner, sessionDigest: [UInt8]? = nil
    ) throws -> String {
        var claims = IDTokenClaims(
            issuer: issuer, subject: subjects.subject(for: user, client: client.clientID, type: client.subjectType),
            audience: client.clientID, issuedAt: now, lifetime: lifetime, authTime: authTime, methods: methods, nonce: nonce)
        if let sessionDigest, let sessionIDKey {
            claims.sessionID = SessionIdentifier.sid(sessionDigest: sessionDigest, key: sessionIDKey)
        }
        return try signer.sign(claims)
    }
}
