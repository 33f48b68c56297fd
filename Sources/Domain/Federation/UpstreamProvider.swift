import Crypto
import Foundation

/// A row id of an upstream provider.
public enum UpstreamProviderRecord {}
public typealias UpstreamProviderID = RecordID<UpstreamProviderRecord>
/// A row id of a link from an upstream account to a person.
public enum UpstreamLinkRecord {}
public typealias UpstreamLinkID = RecordID<UpstreamLinkRecord>

/// How the first sign-in of an upstream account finds its roster person. Later sign-ins use the stored link only.
public enum UpstreamLinkRule: Sendable, Equatable {
    /// The provider's verified email equals the person's roster email.
    case email
    /// The value of the upstream `claim` equals the person's roster `sourcedId` (in the provider's school).
    case sourcedID(claim: String)
    /// The value of the upstream `claim` equals the person's username.
    case username(claim: String)

    /// The claim compared when a rule names none.
    public static let defaultClaim = "preferred_username"

    /// The stored name of the rule.
    public var storedName: String {
        switch self {
        case .email: "email"
        case .sourcedID: "sourced_id"
        case .username: "username"
        }
    }

    /// The stored claim ("" for the email rule).
    public var storedClaim: String {
        switch self {
        case .email: ""
        case .sourcedID(let claim), .username(let claim): claim
        }
    }

    /// The rule from its stored name and claim; `nil` for an unknown name.
    public init?(storedName: String, claim: String) {
        let claim = claim.isEmpty ? Self.defaultClaim : claim
        switch storedName {
        case "email": self = .email
        case "sourced_id": self = .sourcedID(claim: claim)
        case "username": self = .username(claim: claim)
        default: return nil
        }
    }

    /// How the school admin's page describes the rule.
    public var summary: String {
        switch self {
        case .email: "verified email = roster email"
        case .sourcedID(let claim): "claim \(claim) = roster sourcedId"
        case .username(let claim): "claim \(claim) = roster username"
        }
    }
}

/// One upstream OpenID provider as configured: a school's (``schoolID``) or the whole installation's.
public struct UpstreamProvider: Sendable, Equatable {
    public let id: UpstreamProviderID
    /// The provider's name in URLs and the CLI: `[a-z0-9-]{1,40}`, unique over the installation.
    public let slug: String
    /// `nil`: every school's people may use it (a platform admin's provider).
    public let schoolID: SchoolID?
    /// The button says "Continue with <name>".
    public let name: String
    public let kind: UpstreamProviderKind
    /// The generic provider's issuer, or the Google and Entra presets' authority.
    public let authority: String
    public let clientID: String
    /// The client secret, sealed (``UpstreamClientSecret``).
    public let sealedSecret: [UInt8]
    public let linkRule: UpstreamLinkRule
    /// Whether an account that matches nobody becomes a new student of the school.
    public let jitStudents: Bool
    public let enabled: Bool

    public init(
        id: UpstreamProviderID, slug: String, schoolID: SchoolID?, name: String, kind: UpstreamProviderKind, authority: String,
        clientID: String, sealedSecret: [UInt8], linkRule: UpstreamLinkRule, jitStudents: Bool, enabled: Bool
    ) {
        self.id = id
        self.slug = slug
        self.schoolID = schoolID
        self.name = name
        self.kind = kind
        self.authority = authority
        self.clientID = clientID
        self.sealedSecret = sealedSecret
        self.linkRule = linkRule
        self.jitStudents = jitStudents
        self.enabled = enabled
    }

    /// The issuer whose discovery document is read.
    public var discoveryIssuer: String { kind.discoveryIssuer(authority: authority) }
    /// Where that document is.
    public var discoveryURL: String { OpenIDProviderMetadata.discoveryURL(issuer: discoveryIssuer) }
    /// The issuers its ID tokens may carry.
    public var issuers: Set<String> { kind.issuers(authority: authority) }

    /// Whether `slug` is a usable provider slug.
    public static func isValidSlug(_ slug: String) -> Bool {
        (1...40).contains(slug.utf8.count) && slug.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }
}

/// The client secret of an upstream provider at rest: AES-256-GCM under a key derived from the OAuth key file
/// (``OAuthKeyMaterial/upstreamSecretKey``), with the provider's slug as associated data, so a sealed secret moved
/// to another provider's row does not open.
public enum UpstreamClientSecret {
    /// Seals `secret` for the provider `slug`.
    public static func seal(_ secret: String, slug: String, key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws
        -> [UInt8]
    {
        try KeySealing.seal(Array(secret.utf8), key: key, associatedData: associatedData(slug), using: &generator)
    }

    /// The secret of the provider `slug`.
    public static func open(_ sealed: [UInt8], slug: String, key: SymmetricKey) throws -> String {
        String(decoding: try KeySealing.open(sealed, key: key, associatedData: associatedData(slug)), as: UTF8.self)
    }

    private static func associatedData(_ slug: String) -> [UInt8] { Array("catalystwells upstream client secret v1 \(slug)".utf8) }
}

/// What a school decides about sign-in: the roles that may still sign in with a password (the others use the
/// school's providers only).
public struct SchoolSignInPolicy: Sendable, Equatable {
    /// The roles a school can restrict.
    public static let restrictableRoles: [Role] = [.student, .teacher, .parent, .schoolAdmin]
    public var passwordRoles: Set<Role>

    public init(passwordRoles: Set<Role>) { self.passwordRoles = passwordRoles }

    /// A school that decided nothing: every role may use a password.
    public static let everyone = SchoolSignInPolicy(passwordRoles: Set(restrictableRoles))

    /// Whether a person of `role` may sign in with a password. Platform admins belong to no school: always.
    public func allowsPassword(for role: Role) -> Bool { role == .platformAdmin || passwordRoles.contains(role) }
}

/// A person's link to an upstream account, as their account page lists it.
public struct UpstreamLink: Sendable, Equatable {
    public let id: UpstreamLinkID
    public let providerName: String
    /// The upstream email, else the subject.
    public let label: String
    public let createdAt: Date
    public let lastUsedAt: Date

    public init(id: UpstreamLinkID, providerName: String, label: String, createdAt: Date, lastUsedAt: Date) {
        self.id = id
        self.providerName = providerName
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
