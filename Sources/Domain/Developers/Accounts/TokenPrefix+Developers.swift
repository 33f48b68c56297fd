extension TokenPrefix {
    /// Session cookies of the developers site: a prefix of their own, so an app-site session value is
    /// refused there by shape before any lookup (and the other way round).
    public static let developerSession = "cw_dss_"
    /// The anonymous CSRF cookie of the developers site's signed-out forms.
    public static let developerFormCookie = "cw_dfm_"
    /// Email verification and password reset links mailed to developers.
    public static let developerLink = "cw_dln_"
    /// Invitations to a developer organisation, mailed once and stored as a digest.
    public static let organisationInvitation = "cw_inv_"
}
