import Crypto

/// Synchronizer tokens for forms, derived from a secret the browser already holds in an HttpOnly cookie (the
/// session cookie when signed in, a form cookie otherwise), so nothing extra is stored server-side.
///
/// The token is SHA-256("csrf" ‖ cookie value): a cross-site attacker can make the browser send the cookie but
/// cannot read it, so cannot compute the field. The `__Host-` cookie prefix stops a sibling subdomain from
/// planting a cookie of its choosing (OWASP CSRF cheat sheet, "signed double-submit" variant).
public enum CSRFToken {
    /// The value forms carry in their hidden `csrf` field.
    public static func derive(fromCookie cookie: String) -> String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(("csrf\u{0}" + cookie).utf8))))
    }

    /// Whether a submitted field matches the cookie, compared in constant time.
    public static func isValid(submitted: String?, cookie: String?) -> Bool {
        guard let submitted, let cookie, !cookie.isEmpty else { return false }
        return SecretToken.constantTimeEquals(Array(submitted.utf8), Array(derive(fromCookie: cookie).utf8))
    }
}
