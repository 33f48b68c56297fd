import Foundation

/// How long the provider's codes and tokens live (DESIGN §5; configurable, with the defaults below).
public struct TokenLifetimes: Sendable, Equatable {
    /// Access tokens (`expires_in`), seconds. Default 1 hour.
    public var accessToken: TimeInterval
    /// Refresh tokens, seconds; each rotation starts a new lifetime. Default 30 days.
    public var refreshToken: TimeInterval
    /// Authorization codes, seconds (RFC 6749 §4.1.2 recommends at most 10 minutes). Default 60 s.
    public var authorizationCode: TimeInterval
    /// ID tokens (`exp - iat`), seconds; retired signing keys stay published at least this long. Default 1 hour.
    public var idToken: TimeInterval
    /// How long after a rotation a second use of the same refresh token counts as a concurrent retry rather
    /// than a reuse that revokes the grant (RFC 9700 §4.14.2). Default 10 s.
    public var refreshReuseGrace: TimeInterval
    /// How long after its grant was made a refresh token may live at most, however often it was rotated
    /// (RFC 9700 §4.14.2: refresh tokens should expire). Default 90 days.
    public var refreshAbsolute: TimeInterval

    /// Lifetimes; every argument has the documented default.
    public init(
        accessToken: TimeInterval = 3600, refreshToken: TimeInterval = 30 * 86400, authorizationCode: TimeInterval = 60,
        idToken: TimeInterval = 3600, refreshReuseGrace: TimeInterval = 10, refreshAbsolute: TimeInterval = 90 * 86400
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.authorizationCode = authorizationCode
        self.idToken = idToken
        self.refreshReuseGrace = refreshReuseGrace
        self.refreshAbsolute = refreshAbsolute
    }
}
