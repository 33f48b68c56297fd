import Crypto
import Foundation

/// A provider's settings as an admin enters them (the school's sign-in page, `catalystwells upstream add`), and the
/// rules they must meet before anything is stored. Every problem names the field, so both the page and the CLI can
/// say what is wrong.
public struct UpstreamProviderSettings: Sendable {
    public var slug = ""
    public var name = ""
    /// `generic`, `google` or `entra`.
    public var kind = "generic"
    public var clientID = ""
    public var clientSecret = ""
    /// The generic provider's issuer.
    public var issuer = ""
    /// The Google and Entra presets' authority; empty for Google's and Microsoft's own.
    public var authority = ""
    /// Google: the `hd` domains accepted.
    public var domains: [String] = []
    /// Entra: the tenant ids accepted.
    public var tenants: [String] = []
    /// `email`, `sourced-id` (or `sourced_id`) or `username`.
    public var linkRule = "email"
    public var linkClaim = ""
    public var jitStudents = false
    public var enabled = true

    public init() {}

    /// A setting that breaks a rule: the field, and what is wrong as a ``Message`` (the page renders it in its
    /// language; the command line and the log use its English).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let field: String
        public let problem: Message
        public init(_ field: String, _ problem: Message) {
            self.field = field
            self.problem = problem
        }
        /// What is wrong, in English.
        public var message: String { problem.english }
        public var description: String { "\(field): \(message)" }
    }

    /// The provider to store for `school` (`nil`: platform-wide), its client secret sealed under `key`.
    /// `allowLoopbackHTTP`: an issuer may be `http://127.0.0.1…` (test stacks only).
    public func validated(
        school: SchoolID?, key: SymmetricKey, allowLoopbackHTTP: Bool, using generator: inout some RandomNumberGenerator
    ) throws(Problem) -> NewUpstreamProvider {
        guard UpstreamProvider.isValidSlug(slug), slug != "callback" else {
            throw Problem("slug", Message("signin_settings.problem.slug", "use 1 to 40 lower-case letters, digits and hyphens (not \"callback\")"))
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw Problem("name", Message("signin_settings.problem.name", "give a name of 1 to 80 characters, shown as \"Continue with <name>\""))
        }
        guard (1...255).contains(clientID.utf8.count), clientID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem(
                "client_id", Message("signin_settings.problem.client_id", "enter the client id the provider gave (printable ASCII, no spaces)"))
        }
        guard (1...512).contains(clientSecret.utf8.count), !clientSecret.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw Problem("client_secret", Message("signin_settings.problem.client_secret", "enter the client secret the provider gave"))
        }
        let kind: UpstreamProviderKind
        let authority: String
        let given = self.authority
        switch self.kind {
        case "generic":
            kind = .generic
            authority = try Self.url(issuer, field: "issuer", allowLoopbackHTTP: allowLoopbackHTTP)
        case "google":
            let domains = try Self.names(domains, field: "domains")
            kind = .google(domains: domains)
            authority = try Self.url(
                given.isEmpty ? UpstreamProviderKind.googleAuthority : given, field: "authority", allowLoopbackHTTP: allowLoopbackHTTP)
        case "entra":
            let tenants = try Self.names(tenants, field: "tenants")
            kind = .entra(tenants: tenants)
            authority = try Self.url(
                given.isEmpty ? UpstreamProviderKind.entraAuthority : given, field: "authority", allowLoopbackHTTP: allowLoopbackHTTP)
        default:
            throw Problem("kind", Message("signin_settings.problem.kind", "choose generic, google or entra"))
        }
        let claim = linkClaim.trimmingCharacters(in: .whitespaces)
        guard claim.utf8.count <= 64, claim.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Problem("link_claim", Message("signin_settings.problem.link_claim", "a claim name is up to 64 printable characters"))
        }
        guard let rule = UpstreamLinkRule(storedName: linkRule.replacingOccurrences(of: "-", with: "_"), claim: claim) else {
            throw Problem("link_rule", Message("signin_settings.problem.link_rule", "choose email, sourced-id or username"))
        }
        if case .entra = kind, rule == .email {
            // Entra's email claim is not verified for every tenant: it may not decide who someone is.
            throw Problem(
                "link_rule",
                Message("signin_settings.problem.entra_email", "Microsoft Entra accounts link by a claim (sourced-id or username), not by email"))
        }
        guard !jitStudents || school != nil else {
            throw Problem("jit_students", Message("signin_settings.problem.jit_students", "only a school's provider can create its students"))
        }
        let sealed: [UInt8]
        do {
            sealed = try UpstreamClientSecret.seal(clientSecret, slug: slug, key: key, using: &generator)
        } catch {
            throw Problem("client_secret", Message("signin_settings.problem.sealing", "could not be sealed (\(error))", ["error": "\(error)"]))
        }
        return NewUpstreamProvider(
            slug: slug, schoolID: school, name: name, kind: kind, authority: authority, clientID: clientID, sealedSecret: sealed,
            linkRule: rule, jitStudents: jitStudents, enabled: enabled)
    }

    /// An issuer or authority: an absolute https URL without query or fragment, no trailing slash.
    static func url(_ text: String, field: String, allowLoopbackHTTP: Bool) throws(Problem) -> String {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix(OpenIDProviderMetadata.wellKnownSuffix) { text.removeLast(OpenIDProviderMetadata.wellKnownSuffix.count) }
        while text.hasSuffix("/") { text.removeLast() }
        guard OpenIDProviderMetadata.isAcceptable(text, allowLoopbackHTTP: allowLoopbackHTTP), !text.contains("?") else {
            throw Problem(
                field,
                Message(
                    "signin_settings.problem.url",
                    "enter the provider's https URL (its discovery document is that URL + \(OpenIDProviderMetadata.wellKnownSuffix))",
                    ["suffix": OpenIDProviderMetadata.wellKnownSuffix]))
        }
        return text
    }

    /// The email domains a school claims, from a comma- or line-separated list.
    public static func domainNames(_ text: String) throws(Problem) -> [String] { try names([text], field: "domains") }

    /// Domains or tenant ids: at least one, lower-cased, of letters, digits, dots and hyphens.
    /// `field`: `domains` or `tenants`, which its problem names.
    static func names(_ values: [String], field: String) throws(Problem) -> [String] {
        let cleaned = values.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }) }.map { $0.lowercased() }
        guard !cleaned.isEmpty, cleaned.count <= 20,
            cleaned.allSatisfy({ name in
                (1...253).contains(name.utf8.count)
                    && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D }
            })
        else {
            throw Problem(
                field,
                field == "tenants"
                    ? Message("signin_settings.problem.tenants", "enter one to 20 tenant ids, separated by commas")
                    : Message("signin_settings.problem.domains", "enter one to 20 domains, separated by commas"))
        }
        return Array(Set(cleaned)).sorted()
    }
}
