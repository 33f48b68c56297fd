/// Prefixes of the OAuth provider's opaque tokens (DESIGN §5). Client secrets: ``ClientSecret/prefix``.
extension TokenPrefix {
    /// Authorization codes.
    public static let authorizationCode = "cw_ac_"
    /// Access tokens.
    public static let accessToken = "cw_at_"
    /// Refresh tokens.
    public static let refreshToken = "cw_rt_"
}
