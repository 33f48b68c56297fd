import Foundation

/// A school user's passkey as their account page lists it.
public struct UserPasskey: Sendable, Equatable {
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

/// School users' passkeys (main database).
public protocol PasskeyStore {
    /// The person's WebAuthn user handle, made (32 random bytes from `make`) on first use.
    func userHandle(of user: UserID, make: () -> [UInt8]) throws -> [UInt8]
    /// The credential ids a person already has (to exclude them from a new registration).
    func credentialIDs(of user: UserID) throws -> [[UInt8]]
    /// A passkey by its credential id, for a sign-in: the stored key, its row id and its owner's user id.
    func passkey(credentialID: [UInt8]) throws -> (id: Int64, user: UserID, stored: StoredPasskey)?
    /// Stores a verified registration; `false` when the credential id is already registered (to anyone).
    func addPasskey(_ passkey: RegisteredPasskey, user: UserID, name: String, now: Date) throws -> Bool
    /// Records a verified sign-in: the new counter (only if it is higher, or both are 0) and backup state.
    func recordUse(of id: Int64, signCount: UInt32, backedUp: Bool, now: Date) throws -> Bool
    func passkeys(of user: UserID) throws -> [UserPasskey]
    /// Removes one of a person's passkeys; `false` when they have no such passkey.
    func removePasskey(_ id: Int64, of user: UserID) throws -> Bool
    /// Marks a challenge answered until `expiresAt`; `false` when it already was.
    func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool
}
