import Crypto
import Domain
import Foundation

/// The in-memory twin of ``PasskeyStore``.
final class MemoryPasskeys: PasskeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var handles: [UserID: [UInt8]] = [:]
    private var rows:
        [(id: Int64, user: UserID, passkey: RegisteredPasskey, name: String, count: UInt32, backedUp: Bool, created: Date, used: Date?)] = []
    private var challenges: Set<[UInt8]> = []
    private var nextID: Int64 = 1

    func userHandle(of user: UserID, make: () -> [UInt8]) throws -> [UInt8] {
        if let handle = lock.withLock({ handles[user] }) { return handle }
        let handle = make()
        return lock.withLock {
            if handles[user] == nil { handles[user] = handle }
            return handles[user]!
        }
    }

    func credentialIDs(of user: UserID) throws -> [[UInt8]] { lock.withLock { rows.filter { $0.user == user }.map(\.passkey.credentialID) } }

    func passkey(credentialID: [UInt8]) throws -> (id: Int64, user: UserID, stored: StoredPasskey)? {
        lock.withLock {
            guard let row = rows.first(where: { $0.passkey.credentialID == credentialID }) else { return nil }
            return (
                row.id, row.user,
                StoredPasskey(
                    credentialID: credentialID, owner: .user(row.user), userHandle: handles[row.user] ?? [], publicKey: row.passkey.publicKey,
                    signCount: row.count, backupEligible: row.passkey.backupEligible)
            )
        }
    }

    func addPasskey(_ passkey: RegisteredPasskey, user: UserID, name: String, now: Date) throws -> Bool {
        lock.withLock {
            guard !rows.contains(where: { $0.passkey.credentialID == passkey.credentialID }) else { return false }
            rows.append((nextID, user, passkey, name, passkey.signCount, passkey.backedUp, now, nil))
            nextID += 1
            return true
        }
    }

    func recordUse(of id: Int64, signCount: UInt32, backedUp: Bool, now: Date) throws -> Bool {
        lock.withLock {
            guard let index = rows.firstIndex(where: { $0.id == id }), rows[index].count < signCount || (rows[index].count == 0 && signCount == 0)
            else { return false }
            rows[index].count = signCount
            rows[index].backedUp = backedUp
            rows[index].used = now
            return true
        }
    }

    func passkeys(of user: UserID) throws -> [UserPasskey] {
        lock.withLock {
            rows.filter { $0.user == user }.map {
                UserPasskey(id: $0.id, name: $0.name, backedUp: $0.backedUp, createdAt: $0.created, lastUsedAt: $0.used)
            }
        }
    }

    func removePasskey(_ id: Int64, of user: UserID) throws -> Bool {
        lock.withLock {
            guard let index = rows.firstIndex(where: { $0.id == id && $0.user == user }) else { return false }
            rows.remove(at: index)
            return true
        }
    }

    func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool { lock.withLock { challenges.insert(replayKey).inserted } }
}
