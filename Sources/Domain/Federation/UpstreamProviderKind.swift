import Foundation

/// What kind of upstream OpenID provider a school signs in with, and the rules of that kind beyond OIDC Core.
public enum UpstreamProviderKind: Sendable, Equatable {
    /// Google Workspace: accounts of the school's domains only (the `hd` claim, which Google sets for Workspace
    /// accounts and never for consumer ones), with a verified email.
    case google(domains: [String])
    /// Microsoft Entra ID: accounts of the listed tenants only (`tid`, and the tenant's own issuer); the stable key
    /// is `tid` + `oid` (Microsoft's `sub` is per application, the email may change or be reused).
    case entra(tenants: [String])
    /// Any OpenID provider from its discovery document: the issuer's `sub`.
    case generic
    /// A SAML 2.0 identity provider (issue 15): the authority is its entity id; its settings beyond the common ones
    /// (single sign-on URL, certificates, our key pair) are a ``SAMLProviderConfiguration``.
    case saml

    /// Google's issuer, the Google preset's authority.
    public static let googleAuthority = "https://accounts.google.com"
    /// Microsoft's sign-in host, the Entra preset's authority (issuers are `<authority>/<tenant id>/v2.0`).
    public static let entraAuthority = "https://login.microsoftonline.com"

    /// The issuers an ID token may carry: the authority itself (Google, generic), or one per Entra tenant.
    public func issuers(authority: String) -> Set<String> {
        switch self {
        case .google, .generic, .saml: [authority]
        case .entra(let tenants): Set(tenants.map { Self.entraIssuer(authority: authority, tenant: $0) })
        }
    }

    /// The issuer whose discovery document is read: the authority, or the first Entra tenant's issuer (every
    /// tenant's document names the same endpoints apart from the tenant segment, and the same keys).
    public func discoveryIssuer(authority: String) -> String {
        switch self {
        case .google, .generic, .saml: authority
        case .entra(let tenants): Self.entraIssuer(authority: authority, tenant: tenants.first ?? "common")
        }
    }

    /// An Entra tenant's issuer.
    static func entraIssuer(authority: String, tenant: String) -> String {
        (authority.hasSuffix("/") ? String(authority.dropLast()) : authority) + "/\(tenant.lowercased())/v2.0"
    }

    /// The identity in a verified token, or why this kind refuses it.
    public func identity(authority: String, from token: VerifiedIDToken) -> Result<UpstreamIdentity, UpstreamSignInRefusal> {
        let claims = token.claims
        let email = claims[member: "email"]?.stringValue?.lowercased()
        let verified = claims[member: "email_verified"]?.boolValue ?? false
        switch self {
        case .google(let domains):
            guard let hd = claims[member: "hd"]?.stringValue?.lowercased(), domains.contains(where: { $0.lowercased() == hd }) else {
                return .failure(.wrongDomain)
            }
            guard verified, let email, email.hasSuffix("@" + hd) else { return .failure(.emailNotVerified) }
            return .success(UpstreamIdentity(subject: token.subject, email: email, emailVerified: true, claims: claims))
        case .entra(let tenants):
            guard let tid = claims[member: "tid"]?.stringValue?.lowercased(), tenants.contains(where: { $0.lowercased() == tid }),
                token.issuer == Self.entraIssuer(authority: authority, tenant: tid)
            else { return .failure(.wrongTenant) }
            guard let oid = claims[member: "oid"]?.stringValue, !oid.isEmpty else { return .failure(.missingSubject) }
            // Entra's email claim is not verified by Microsoft for every tenant: never trusted for linking.
            return .success(UpstreamIdentity(subject: "\(tid):\(oid)", email: email, emailVerified: false, claims: claims))
        case .generic:
            return .success(UpstreamIdentity(subject: token.subject, email: email, emailVerified: verified && email != nil, claims: claims))
        case .saml:
            // A SAML provider never answers with an ID token.
            return .failure(.missingSubject)
        }
    }
}

/// A person as an upstream provider vouches for them: the stable key our link is stored under, and the claims a
/// school's linking rule may compare with the roster.
public struct UpstreamIdentity: Sendable {
    /// The provider-stable key: `sub`, or `tid:oid` for Entra ID.
    public let subject: String
    /// The email address, lower-cased, if any.
    public let email: String?
    /// Whether the provider vouches for the email (only then may a rule link by it).
    public let emailVerified: Bool
    /// All claims, for a rule that matches another one and for the admin's "test this provider".
    public let claims: JSONValue

    public init(subject: String, email: String?, emailVerified: Bool, claims: JSONValue) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.claims = claims
    }
}
