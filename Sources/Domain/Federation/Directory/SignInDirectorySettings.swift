import Crypto
import Foundation

/// A school directory's settings as an admin enters them (`/school/sign-in`, `catalystwells directory set`), and the
/// rules they must meet before anything is stored. Every problem names the field, as ``UpstreamProviderSettings``'
/// do.
public struct SignInDirectorySettings: Sendable {
    public var name = ""
    /// One to ``maximumEndpoints`` URIs, separated by spaces, commas or lines, tried in this order.
    public var uris = ""
    /// Allows `ldapi://` and `ldap://` to a loopback address without TLS.
    public var allowPlain = false
    /// The CA certificate(s) in PEM, pasted or read from a file by the CLI; empty: the system's trust store.
    public var caCertificates = ""
    public var bindDN = ""
    /// Empty when a saved directory is updated: its sealed password is kept.
    public var bindPassword = ""
    public var baseDN = ""
    public var filter = ""
    /// `email`, `sourced-id` (or `sourced_id`) or `username`.
    public var linkRule = "email"
    /// Empty: `mail` for the email rule; the other rules need one.
    public var linkAttribute = ""
    /// `none` or `active-directory` (or `active_directory`).
    public var disabledCheck = "none"
    public var enabled = true

    /// At most this many servers: each may cost a connect timeout before the next is tried.
    public static let maximumEndpoints = 3

    public init() {}

    /// The directory to store for `school`, the service password sealed under `key`; with an empty password, the
    /// `existing` directory's sealed one is kept.
    public func validated(
        school: SchoolID, key: SymmetricKey, existing: SignInDirectory?, using generator: inout some RandomNumberGenerator
    ) throws(UpstreamProviderSettings.Problem) -> SignInDirectory {
        typealias Problem = UpstreamProviderSettings.Problem
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Problem(
                "name", Message("directory.problem.name", "give a name of 1 to 80 characters, shown as \"Sign in with your <name> account\""))
        }
        let texts = uris.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\t" }).map(String.init)
        guard (1...Self.maximumEndpoints).contains(texts.count) else {
            throw Problem(
                "uris",
                Message(
                    "directory.problem.uri_count", "give one to \(Self.maximumEndpoints) server URIs, such as ldaps://dc1.school.example",
                    ["max": "\(Self.maximumEndpoints)"]))
        }
        var endpoints: [DirectoryEndpoint] = []
        for text in texts {
            switch DirectoryEndpoint.parse(text, allowPlain: allowPlain) {
            case .success(let endpoint): endpoints.append(endpoint)
            case .failure(let refusal): throw Problem("uris", refusal.problem)
            }
        }
        let caCertificates: String
        switch PEMCertificates.normalized(self.caCertificates) {
        case .success(let text): caCertificates = text
        case .failure(let refusal): throw Problem("ca_certificates", refusal.problem)
        }
        let bindDN = bindDN.trimmingCharacters(in: .whitespaces)
        guard (1...512).contains(bindDN.utf8.count), !Self.hasControl(bindDN), bindDN.contains("=") || bindDN.contains("@") else {
            throw Problem(
                "bind_dn", Message("directory.problem.bind_dn", "give the service account's DN (or, for Active Directory, its user principal name)"))
        }
        let sealed: [UInt8]
        if bindPassword.isEmpty {
            guard let existing else {
                throw Problem("bind_password", Message("directory.problem.bind_password_missing", "enter the service account's password"))
            }
            sealed = existing.sealedBindPassword
        } else {
            guard bindPassword.utf8.count <= 512, !bindPassword.unicodeScalars.contains(where: { $0.value == 0 }) else {
                throw Problem("bind_password", Message("directory.problem.bind_password_long", "a password is at most 512 bytes, without NUL"))
            }
            do {
                sealed = try DirectoryBindPassword.seal(bindPassword, school: school, key: key, using: &generator)
            } catch {
                throw Problem("bind_password", Message("directory.problem.sealing", "could not be sealed (\(error))", ["error": "\(error)"]))
            }
        }
        let baseDN = baseDN.trimmingCharacters(in: .whitespaces)
        guard (1...512).contains(baseDN.utf8.count), baseDN.contains("="), !Self.hasControl(baseDN) else {
            throw Problem(
                "base_dn", Message("directory.problem.base_dn", "give the DN people are searched under, such as ou=People,dc=school,dc=example"))
        }
        guard let filter = LDAPFilterTemplate(filter) else {
            throw Problem(
                "filter",
                Message(
                    "directory.problem.filter",
                    "write one parenthesised filter of up to \(LDAPFilterTemplate.maximumLength) characters with \(LDAPFilterTemplate.placeholder) where the typed name goes, such as (&(objectClass=user)(sAMAccountName={name}))",
                    [
                        "max": "\(LDAPFilterTemplate.maximumLength)", "placeholder": LDAPFilterTemplate.placeholder,
                        "example": "(&(objectClass=user)(sAMAccountName={name}))",
                    ]))
        }
        let storedRule = linkRule.replacingOccurrences(of: "-", with: "_")
        var attribute = linkAttribute.trimmingCharacters(in: .whitespaces)
        if attribute.isEmpty && storedRule == "email" { attribute = "mail" }
        guard Self.isAttributeName(attribute) else {
            throw Problem(
                "link_attribute",
                Message("directory.problem.link_attribute", "give the attribute compared with the roster (a name such as mail, employeeID or uid)"))
        }
        guard let rule = UpstreamLinkRule(storedName: storedRule, claim: attribute) else {
            throw Problem("link_rule", Message("directory.problem.link_rule", "choose email, sourced-id or username"))
        }
        guard let check = DirectoryDisabledCheck(rawValue: disabledCheck.replacingOccurrences(of: "-", with: "_")) else {
            throw Problem("disabled_check", Message("directory.problem.disabled_check", "choose none or active-directory"))
        }
        return SignInDirectory(
            schoolID: school, name: name, endpoints: endpoints, allowPlain: allowPlain, caCertificates: caCertificates, bindDN: bindDN,
            sealedBindPassword: sealed,
            baseDN: baseDN, filter: filter, linkRule: rule, linkAttribute: attribute, disabledCheck: check, enabled: enabled)
    }

    /// An attribute description without options (RFC 4512 §1.4 `descr`, or a numeric OID), up to 64 characters.
    public static func isAttributeName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), let first = name.utf8.first else { return false }
        let isLetter = { (byte: UInt8) in (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        if isLetter(first) { return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") } }
        return name.utf8.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") } && !name.hasSuffix(".") && !name.contains("..")
    }

    private static func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
}
