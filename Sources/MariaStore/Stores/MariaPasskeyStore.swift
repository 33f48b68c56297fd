import Crypto
import Domain
import Foundation

/// ``PasskeyStore`` over main's `user_passkeys`, `user_passkey_handles` and `passkey_challenge_uses`.
public struct MariaPasskeyStore: PasskeyStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func userHandle(of user: UserID, make: () -> [UInt8]) throws -> [UInt8] {
        if let handle = try database.query("SELECT handle FROM user_passkey_handles WHERE user_id = \(user.rawValue)").first?.bytes("handle") {
            return handle
        }
        try database.execute("INSERT IGNORE INTO user_passkey_handles (user_id, handle) VALUES (\(user.rawValue), \(make()))")
        guard let handle = try database.query("SELECT handle FROM user_passkey_handles WHERE user_id = \(user.rawValue)").first?.bytes("handle")
        else { throw StoreError(.conflict, detail: "user_passkey_handles: no handle for \(user) after inserting one") }
        return handle
    }

    public func credentialIDs(of user: UserID) throws -> [[UInt8]] {
        try database.query("SELECT credential_id FROM user_passkeys WHERE user_id = \(user.rawValue) ORDER BY id").compactMap {
            $0.bytes("credential_id")
        }
    }

    public func passkey(credentialID: [UInt8]) throws -> (id: Int64, user: UserID, stored: StoredPasskey)? {
        let hash = Array(SHA256.hash(data: credentialID))
        guard
            let row = try database.query(
                """
                SELECT p.id, p.user_id, p.credential_id, p.public_key, p.sign_count, p.backup_eligible, h.handle
                FROM user_passkeys p JOIN user_passkey_handles h ON h.user_id = p.user_id
                WHERE p.credential_hash = \(hash)
                """
            ).first, let id = row.int("id"), let user = row.id("user_id", as: UserRecord.self), row.bytes("credential_id") == credentialID
        else { return nil }
        return (
            Int64(id), user,
            StoredPasskey(
                credentialID: credentialID, owner: .user(user), userHandle: row.bytes("handle") ?? [], publicKey: row.bytes("public_key") ?? [],
                signCount: UInt32(clamping: row.int("sign_count") ?? 0), backupEligible: row.int("backup_eligible") == 1)
        )
    }

    public func addPasskey(_ passkey: RegisteredPasskey, user: UserID, name: String, now: Date) throws -> Bool {
        try database.execute(
            """
            INSERT IGNORE INTO user_passkeys (user_id, credential_id, credential_hash, public_key, cose_algorithm, sign_count, backup_eligible,
                                              backed_up, aaguid, name, created_at)
            VALUES (\(user.rawValue), \(passkey.credentialID), \(Array(SHA256.hash(data: passkey.credentialID))), \(passkey.publicKey),
                    \(Int(passkey.coseAlgorithm)), \(Int(passkey.signCount)), \(passkey.backupEligible), \(passkey.backedUp),
                    \(passkey.aaguid.count == 16 ? passkey.aaguid : [UInt8](repeating: 0, count: 16)), \(String(name.prefix(80))), \(now))
            """
        ).affectedRows == 1
    }

    public func recordUse(of id: Int64, signCount: UInt32, backedUp: Bool, now: Date) throws -> Bool {
        // Conditional on the counter moving forward (or staying 0 on both sides), so two answers racing with the same
        // counter cannot both count.
        try database.execute(
            """
            UPDATE user_passkeys SET sign_count = \(Int(signCount)), backed_up = \(backedUp), last_used_at = \(now)
            WHERE id = \(id) AND (sign_count < \(Int(signCount)) OR (sign_count = 0 AND \(Int(signCount)) = 0))
            """
        ).affectedRows == 1
    }

    public func passkeys(of user: UserID) throws -> [UserPasskey] {
        try database.query(
            "SELECT id, name, backed_up, created_at, last_used_at FROM user_passkeys WHERE user_id = \(user.rawValue) ORDER BY created_at, id"
        ).compactMap { row in
            guard let id = row.int("id"), let created = row.date("created_at") else { return nil }
            return UserPasskey(
                id: Int64(id), name: row.string("name") ?? "", backedUp: row.int("backed_up") == 1, createdAt: created,
                lastUsedAt: row.date("last_used_at"))
        }
    }

    public func removePasskey(_ id: Int64, of user: UserID) throws -> Bool {
        try database.execute("DELETE FROM user_passkeys WHERE id = \(id) AND user_id = \(user.rawValue)").affectedRows == 1
    }

    public func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool {
        try database.execute("INSERT IGNORE INTO passkey_challenge_uses (replay_key, expires_at) VALUES (\(replayKey), \(expiresAt))").affectedRows
            == 1
    }
}
