import Foundation

/// A passkey as its owner's page lists it.
public struct PasskeySummary: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let backedUp: Bool
    public let createdAt: Date
    public let lastUsedAt: Date?

    public init(id: Int64, name: String, backedUp: Bool, createdAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.name = name
        self.backedUp = backedUp
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// The kinds of record that own passkeys: school users (main database) and developers (developers database). The
/// rules are the same for both; each has tables of its own in its own database.
public protocol PasskeyOwnerKind {
    /// The ceremony's name for the owner `id`.
    static func passkeyAccount(_ id: RecordID<Self>) -> PasskeyAccount
}

extension UserRecord: PasskeyOwnerKind {
    public static func passkeyAccount(_ id: UserID) -> PasskeyAccount { .user(id) }
}

extension DeveloperRecord: PasskeyOwnerKind {
    public static func passkeyAccount(_ id: DeveloperID) -> PasskeyAccount { .developer(id) }
}

/// Passkeys of one kind of owner: school users' (``UserRecord``) or developers' (``DeveloperRecord``).
public protocol PasskeyStore<Owner> {
    associatedtype Owner: PasskeyOwnerKind

    /// The owner's WebAuthn user handle, made (32 random bytes from `make`) on first use.
    func userHandle(of owner: RecordID<Owner>, make: () -> [UInt8]) throws -> [UInt8]
    /// The credential ids an owner already has (to exclude them from a new registration).
    func credentialIDs(of owner: RecordID<Owner>) throws -> [[UInt8]]
    /// A passkey by its credential id, for a sign-in: the stored key, its row id and its owner.
    func passkey(credentialID: [UInt8]) throws -> (id: Int64, owner: RecordID<Owner>, stored: StoredPasskey)?
    /// Stores a verified registration; `false` when the credential id is already registered (to anyone).
    func addPasskey(_ passkey: RegisteredPasskey, owner: RecordID<Owner>, name: String, now: Date) throws -> Bool
    /// Records a verified sign-in: the new counter (only if it is higher, or both are 0) and backup state.
    func recordUse(of id: Int64, signCount: UInt32, backedUp: Bool, now: Date) throws -> Bool
    func passkeys(of owner: RecordID<Owner>) throws -> [PasskeySummary]
    /// Removes one of an owner's passkeys; `false` when they have no such passkey.
    func removePasskey(_ id: Int64, of owner: RecordID<Owner>) throws -> Bool
    /// Marks a challenge answered until `expiresAt`; `false` when it already was.
    func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool
    /// Forgets answered challenges that expired before `now` (their cookies can no longer open); the count.
    func purgeAnsweredChallenges(before now: Date) throws -> Int
}
