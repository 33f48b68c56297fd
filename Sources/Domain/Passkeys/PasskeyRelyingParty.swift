import Crypto

/// Who we are to an authenticator (WebAuthn §5.1.2, §13.4.9): the RP id every passkey is scoped to, and the exact
/// origins whose pages may run a ceremony. Routes build it from configuration, never from request headers.
public struct PasskeyRelyingParty: Sendable, Equatable {
    /// The RP id: a registrable domain suffix of every origin's host, e.g. `catalystwells.example`.
    public let id: String
    /// The origins, e.g. `https://id.catalystwells.example`, compared byte for byte with the client data's.
    public let origins: Set<String>
    /// SHA-256 of ``id``: what authenticator data must start with.
    public let idHash: [UInt8]

    public init(id: String, origins: Set<String>) {
        self.id = id
        self.origins = origins
        idHash = Array(SHA256.hash(data: Array(id.utf8)))
    }
}

/// Whose passkey: a school user or a developer of the portal. The two kinds of account live in different tables,
/// so a passkey and a ceremony name the kind as well as the row.
public enum PasskeyAccount: Sendable, Hashable {
    case user(UserID)
    case developer(DeveloperID)
}
