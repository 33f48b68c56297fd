import Foundation

/// The `refresh_token` grant's rules (RFC 6749 §6; RFC 9700 §4.14.2 rotation and reuse detection), as
/// pure decisions. The store performs the same decision atomically in
/// ``TokenStore/rotateRefreshToken(digest:client:replacement:now:grace:)``; ``decide(token:client:now:grace:)``
/// states it once so the in-memory store, the MariaDB store and the tests agree.
public enum RefreshPolicy {
    /// What to do with a presented refresh token.
    public enum Decision: Sendable, Equatable {
        /// Live: rotate it (spend it, issue a new pair).
        case rotate
        /// Refuse with this error and change nothing.
        case refuse(OAuthError)
        /// Rotated within the grace window: a parallel request or a retry after a lost answer. Change nothing;
        /// the store hands out the pair again when the retry carries the same replacement
        /// (``repetition(of:replacements:now:)``), else refuses with this error.
        case rotatedWithinGrace(OAuthError)
        /// A rotated token came back after the grace window: revoke the whole grant, then refuse.
        case revokeGrant(GrantID, OAuthError)
    }

    /// Decides on the token found by its digest (`nil` when unknown).
    ///
    /// Unknown, an access token, another client's (RFC 6749 §6: bound to the client), revoked or expired:
    /// refuse. Rotated within `grace`: a parallel retry of the same refresh, refuse without revoking. Rotated
    /// longer ago: reuse of a possibly stolen token, revoke the grant.
    public static func decide(token: StoredToken?, client: ClientID, now: Date, grace: TimeInterval) -> Decision {
        let invalid = OAuthError.invalidGrant("The refresh token is invalid, expired or revoked.")
        guard let token, token.kind == .refresh, token.clientID == client else { return .refuse(invalid) }
        guard token.revokedAt == nil, token.expiresAt > now else { return .refuse(invalid) }
        if let rotatedAt = token.rotatedAt {
            if now.timeIntervalSince(rotatedAt) <= grace {
                return .rotatedWithinGrace(.invalidGrant("The refresh token was already used.", logDetail: "rotated within grace"))
            }
            return .revokeGrant(token.grantID, .invalidGrant(invalid.description, logDetail: "refresh token reuse: grant revoked"))
        }
        return .rotate
    }

    /// The scopes of the new tokens: the old token's when `requested` is `nil`; a subset may be requested,
    /// anything more is `invalid_scope` (RFC 6749 §6: "MUST NOT include any scope not originally granted").
    public static func scopes(requested: [String]?, granted: [String]) -> Result<[String], OAuthError> {
        guard let requested else { return .success(granted) }
        let grantedSet = Set(granted)
        if let extra = requested.first(where: { !grantedSet.contains($0) }) {
            return .failure(.invalidScope("The scope \(extra) was not granted to this refresh token."))
        }
        return .success(requested)
    }

    /// Whether a refresh token rotated within the grace window is being retried with the very replacement its
    /// rotation stored (``TokenDerivation`` makes a retry pass the same one): `.repeated` when both replacement
    /// tokens were found in the token's grant (`replacements`, looked up by the digests the retry passed) and the
    /// new refresh token is still unused and unrevoked; `nil` otherwise (a parallel request, or a family that has
    /// moved on: the caller refuses).
    public static func repetition(of token: StoredToken, replacements: [StoredToken?], now: Date) -> RefreshRotation? {
        let found = replacements.compactMap { $0 }
        guard found.count == replacements.count, found.allSatisfy({ $0.grantID == token.grantID }),
            let access = found.first(where: { $0.kind == .access }), access.isActive(at: now),
            let refresh = found.first(where: { $0.kind == .refresh }), refresh.isActive(at: now)
        else { return nil }
        return .repeated(token, access: access)
    }

    /// The answer to give for the store's rotation outcome: the spent token's data, or `invalid_grant`.
    public static func outcome(_ rotation: RefreshRotation) -> Result<StoredToken, OAuthError> {
        switch rotation {
        case .rotated(let old), .repeated(let old, _): .success(old)
        case .alreadyRotated: .failure(.invalidGrant("The refresh token was already used."))
        case .reuseDetected, .invalid: .failure(.invalidGrant("The refresh token is invalid, expired or revoked."))
        }
    }
}
