import Crypto
import Foundation

/// A school's LDAP directory or Active Directory as its sign-in page uses it (issue 15, item 1): the page's password
/// form is checked against the directory (search as the service account, then bind as the entry found with the typed
/// password), and the entry's link attribute finds the roster person by the same rules as the OpenID providers
/// (``UpstreamLinking``). One per school.
public struct SignInDirectory: Sendable, Equatable {
    public let schoolID: SchoolID
    /// The form says "Sign in with your <name> account".
    public let name: String
    /// Tried in order: the first that connects (TLS verified) and accepts the service account serves the request.
    public let endpoints: [DirectoryEndpoint]
    /// Whether ``endpoints`` may include plain ones (stored so a re-parse gives the same endpoints).
    public let allowPlain: Bool
    /// The CA certificate(s), PEM, the servers' certificates must chain to; empty: the system's trust store.
    public let caCertificates: String
    /// The service account the search runs as.
    public let bindDN: String
    /// Its password, sealed (``DirectoryBindPassword``).
    public let sealedBindPassword: [UInt8]
    /// Where people are searched (subtree).
    public let baseDN: String
    public let filter: LDAPFilterTemplate
    /// How the entry's ``linkAttribute`` finds the roster person (its claim is the attribute for sourcedId and
    /// username; for email the attribute holds the address).
    public let linkRule: UpstreamLinkRule
    /// The attribute read from the entry and compared with the roster (`mail`, `employeeID`, `sAMAccountName`, …).
    public let linkAttribute: String
    /// The check of a disabled account beyond the filter.
    public let disabledCheck: DirectoryDisabledCheck
    /// Whether the school's sign-in page checks passwords against the directory (off: configured, not used).
    public let enabled: Bool

    public init(
        schoolID: SchoolID, name: String, endpoints: [DirectoryEndpoint], allowPlain: Bool, caCertificates: String, bindDN: String,
        sealedBindPassword: [UInt8], baseDN: String, filter: LDAPFilterTemplate, linkRule: UpstreamLinkRule, linkAttribute: String,
        disabledCheck: DirectoryDisabledCheck, enabled: Bool
    ) {
        self.schoolID = schoolID
        self.name = name
        self.endpoints = endpoints
        self.allowPlain = allowPlain
        self.caCertificates = caCertificates
        self.bindDN = bindDN
        self.sealedBindPassword = sealedBindPassword
        self.baseDN = baseDN
        self.filter = filter
        self.linkRule = linkRule
        self.linkAttribute = linkAttribute
        self.disabledCheck = disabledCheck
        self.enabled = enabled
    }

    /// The attributes a search asks for: the link attribute, and what the disabled check reads.
    public var requestedAttributes: [String] {
        var names = [linkAttribute]
        if let attribute = disabledCheck.attribute, attribute.lowercased() != linkAttribute.lowercased() { names.append(attribute) }
        return names
    }

    /// How the settings page and the CLI describe the link.
    public var linkSummary: String {
        switch linkRule {
        case .email: "attribute \(linkAttribute) = roster email"
        case .sourcedID: "attribute \(linkAttribute) = roster sourcedId"
        case .username: "attribute \(linkAttribute) = roster username"
        }
    }
}

/// How a disabled directory account is recognised, beyond what the school's filter already leaves out.
public enum DirectoryDisabledCheck: String, Sendable, Equatable, CaseIterable {
    /// Only the filter decides (OpenLDAP: leave disabled people out in the filter itself, for example
    /// `(&(uid={name})(!(pwdAccountLockedTime=*)))`).
    case none
    /// Active Directory: the entry's `userAccountControl` has bit 2 (ACCOUNTDISABLE, 0x2) set. A missing or
    /// unreadable value counts as disabled, so a service account that cannot read it refuses everyone.
    case activeDirectory = "active_directory"

    /// The attribute the check reads.
    public var attribute: String? {
        switch self {
        case .none: nil
        case .activeDirectory: "userAccountControl"
        }
    }

    /// Whether the entry's attributes say the account is disabled.
    public func isDisabled(_ entry: DirectoryEntry) -> Bool {
        switch self {
        case .none:
            return false
        case .activeDirectory:
            // An INTEGER (RFC 4517 §3.3.16); some servers write the 32 flag bits as a negative number.
            guard let text = entry.value("userAccountControl"), let flags = Int64(text.trimmingCharacters(in: .whitespaces)) else { return true }
            return flags & 0x2 != 0
        }
    }
}

/// The service account's password at rest: AES-256-GCM under a key derived from the OAuth key file
/// (``OAuthKeyMaterial/directorySecretKey``), as upstream client secrets are sealed, with the school's id as
/// associated data, so a sealed password copied to another school's row does not open.
public enum DirectoryBindPassword {
    /// Seals `password` for `school`.
    public static func seal(_ password: String, school: SchoolID, key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws
        -> [UInt8]
    {
        try KeySealing.seal(Array(password.utf8), key: key, associatedData: associatedData(school), using: &generator)
    }

    /// The password of `school`'s service account.
    public static func open(_ sealed: [UInt8], school: SchoolID, key: SymmetricKey) throws -> DirectorySecret {
        DirectorySecret(String(decoding: try KeySealing.open(sealed, key: key, associatedData: associatedData(school)), as: UTF8.self))
    }

    private static func associatedData(_ school: SchoolID) -> [UInt8] {
        Array("catalystwells directory bind password v1 \(school.rawValue)".utf8)
    }
}

/// A password on its way to a directory (the service account's, or the one a person typed): prints as
/// `<redacted>`, so no log line or interpolation can carry it.
public struct DirectorySecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The password itself, for the bind only.
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// The schools' directories (main database, `school_directories`).
public protocol SignInDirectoryStore {
    /// The school's directory, enabled or not; `nil` when it has none (or its row can no longer be read: an unknown
    /// link rule or check, or an endpoint the rules now refuse).
    func signInDirectory(of school: SchoolID) throws -> SignInDirectory?
    /// Stores the school's directory, replacing the one it had.
    func saveSignInDirectory(_ directory: SignInDirectory, now: Date) throws
    /// Removes the school's directory; `false` when it had none.
    func removeSignInDirectory(of school: SchoolID) throws -> Bool
}
