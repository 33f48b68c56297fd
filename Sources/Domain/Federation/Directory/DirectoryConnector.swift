import Foundation

/// What a directory sign-in needs from an LDAP client (the Native target's `LDAPDirectoryClient` over libldap;
/// tests pass a fake). Every call protects the connection as its ``DirectoryEndpoint`` says, verifies the server's
/// certificate, chases no referral, and gives up after the connect and operation timeouts, and at `deadline` whatever
/// is left to try (each step waits at most until then).
public protocol DirectoryConnector {
    /// Binds as the service account and searches `base` (subtree) with `filter`, returning at most `limit` entries
    /// with `attributes`. Endpoints are tried in order until one connects and accepts the service account.
    func search(_ server: DirectoryServer, base: String, filter: String, attributes: [String], limit: Int, deadline: Date)
        throws(DirectoryFailure) -> DirectorySearchResult
    /// Whether a simple bind as `dn` with `password` succeeds: `false` when the directory answers invalidCredentials
    /// (RFC 4511 §4.2.2, result 49). Never called with an empty password (that would be an unauthenticated bind,
    /// RFC 4513 §5.1.2, which "succeeds" without checking anything).
    func checkPassword(_ server: DirectoryServer, dn: String, password: DirectorySecret, deadline: Date) throws(DirectoryFailure) -> Bool
}

/// Where and as whom a directory is reached.
public struct DirectoryServer: Sendable, Hashable {
    public let endpoints: [DirectoryEndpoint]
    /// The CA certificates (PEM) the servers' certificates must chain to; empty: the system's trust store.
    public let caCertificates: String
    public let bindDN: String
    public let bindPassword: DirectorySecret

    public init(endpoints: [DirectoryEndpoint], caCertificates: String, bindDN: String, bindPassword: DirectorySecret) {
        self.endpoints = endpoints
        self.caCertificates = caCertificates
        self.bindDN = bindDN
        self.bindPassword = bindPassword
    }
}

/// One entry a search returned.
public struct DirectoryEntry: Sendable, Equatable {
    public let dn: String
    /// Values by attribute name as the server wrote it.
    public let attributes: [(name: String, values: [String])]

    public init(dn: String, attributes: [(name: String, values: [String])]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// The first value of `name` (attribute names compare without case, RFC 4512 §2.5).
    public func value(_ name: String) -> String? {
        attributes.first { $0.name.lowercased() == name.lowercased() }?.values.first
    }

    public static func == (lhs: DirectoryEntry, rhs: DirectoryEntry) -> Bool {
        lhs.dn == rhs.dn && lhs.attributes.map(\.name) == rhs.attributes.map(\.name) && lhs.attributes.map(\.values) == rhs.attributes.map(\.values)
    }
}

/// What a search found.
public struct DirectorySearchResult: Sendable, Equatable {
    public let entries: [DirectoryEntry]
    /// Search result references (continuation references, RFC 4511 §4.5.3) the server sent along: never followed.
    public let references: Int
    /// The server had more entries than asked for.
    public let moreEntries: Bool

    public init(entries: [DirectoryEntry], references: Int = 0, moreEntries: Bool = false) {
        self.entries = entries
        self.references = references
        self.moreEntries = moreEntries
    }
}

/// Why a directory could not answer. `detail` is for the log and the school admin's test page (the server's URI and
/// what libldap or the server said), never for the person signing in.
public struct DirectoryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No endpoint could be connected to (refused, unreachable, or no answer within the connect timeout).
        case unreachable
        /// Connected, but an operation did not finish within the operation timeout.
        case timedOut
        /// TLS could not be set up: the certificate did not verify (wrong CA, wrong name, expired), StartTLS was
        /// refused, or the CA file could not be read.
        case tls
        /// The directory answered with a referral to another server, which is never followed.
        case referral
        /// The directory refused the service account's bind.
        case serviceAccountRefused
        /// The directory refused the search (a base DN it does not hold, a filter it cannot parse, no rights).
        case searchRefused
        /// Anything else the library or the server reported.
        case other
    }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }

    /// Whether another endpoint of the same directory is worth trying (the server could not be used, rather than
    /// answered).
    public var triesNextEndpoint: Bool {
        switch kind {
        case .unreachable, .timedOut, .tls: true
        case .referral, .serviceAccountRefused, .searchRefused, .other: false
        }
    }
}
