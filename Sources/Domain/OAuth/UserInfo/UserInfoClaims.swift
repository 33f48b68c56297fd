/// The claims `/api/oauth/userinfo` returns for a token's scopes (OIDC Core §5.3.2), as ordered string pairs
/// for the HTTP layer's JSON writer.
///
/// Our scopes replace OIDC's `profile` and `email` (DESIGN §6): `profile.read` releases the name claims of
/// OIDC Core §5.1 plus two of ours, `role` (the ``Role`` raw value) and `school_id`; `profile.email` releases
/// `email`. `email_verified` is not claimed: addresses come from school rosters, not from a verification.
public enum UserInfoClaims {
    /// Every claim this provider can return, for discovery's `claims_supported` (with the ID token's).
    public static let supported = ["sub", "name", "given_name", "family_name", "preferred_username", "email", "role", "school_id"]

    /// `sub` (as the client sees it, ``SubjectIdentifiers``) always; the rest by scope, absent values omitted.
    public static func claims(for user: UserAccount, subject: String, scopes: [String]) -> [(name: String, value: String)] {
        var claims: [(name: String, value: String)] = [("sub", subject)]
        if scopes.contains("profile.read") {
            claims.append(("name", user.displayName))
            claims.append(("given_name", user.givenName))
            claims.append(("family_name", user.familyName))
            if let username = user.username { claims.append(("preferred_username", username)) }
            claims.append(("role", user.role.rawValue))
            if let school = user.schoolID { claims.append(("school_id", school.description)) }
        }
        if scopes.contains("profile.email"), let email = user.email {
            claims.append(("email", email))
        }
        return claims
    }
}
