import Crypto
import Domain
import Foundation

/// The in-memory twin of ``PasskeyStore``, for either owner kind.
final class MemoryPasskeys<Owner: PasskeyOwnerKind>: PasskeyStore, @unchecked Sendable {
    typealias OwnerID = RecordID<Owner>
    private let lock = NSLock()
    private var handles: [OwnerID: [UInt8]] = [:]
    private var rows:
        [(id: Int64, user: OwnerID, passkey: RegisteredPasskey, name: String, count: UInt32, backedUp: Bool, created: Date, used: Date?)] = []
    private var challenges: [[UInt8]: Date] = [:]
    private var nextID: Int64 = 1

    func userHandle(of owner: OwnerID, make: () -> [UInt8]) throws -> [UInt8] {
        if let handle = lock.withLock({ handles[owner] }) { return handle }
        let handle = make()
        return lock.withLock {
            if handles[owner] == nil { handles[owner] = handle }
            return handles[owner]!
        }
    }

    func credentialIDs(of owner: OwnerID) throws -> [[UInt8]] { lock.withLock { rows.filter { $0.user == owner }.map(\.passkey.credentialID) } }

    func passkey(credentialID: [UInt8]) throws -> (id: Int64, owner: OwnerID, stored: StoredPasskey)? {
        lock.withLock {
            guard let row = rows.first(where: { $0.passkey.credentialID == credentialID }) else { return nil }
            return (
                row.id, row.user,
                StoredPasskey(
                    credentialID: credentialID, owner: Owner.passkeyAccount(row.user), userHandle: handles[row.user] ?? [],
                    publicKey: row.passkey.publicKey,
                    signCount: row.count, backupEligible: row.passkey.backupEligible)
            )
        }
    }

    func addPasskey(_ passkey: RegisteredPasskey, owner: OwnerID, name: String, now: Date) throws -> Bool {
        lock.withLock {
            guard !rows.contains(where: { $0.passkey.credentialID == passkey.credentialID }) else { return false }
            rows.append((nextID, owner, passkey, name, passkey.signCount, passkey.backedUp, now, nil))
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

    func passkeys(of owner: OwnerID) throws -> [PasskeySummary] {
        lock.withLock {
            rows.filter { $0.user == owner }.map {
                PasskeySummary(id: $0.id, name: $0.name, backedUp: $0.backedUp, createdAt: $0.created, lastUsedAt: $0.used)
            }
        }
    }

    func removePasskey(_ id: Int64, of owner: OwnerID) throws -> Bool {
        lock.withLock {
            guard let index = rows.firstIndex(where: { $0.id == id && $0.user == owner }) else { return false }
            rows.remove(at: index)
            return true
        }
    }

    func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool {
        lock.withLock { challenges.updateValue(expiresAt, forKey: replayKey) == nil }
    }

    func purgeAnsweredChallenges(before now: Date) throws -> Int {
        lock.withLock {
            let spent = challenges.filter { $0.value < now }.keys
            for key in spent { challenges[key] = nil }
            return spent.count
        }
    }
}
