import Crypto
import Domain
import Foundation

/// The tables of one kind of passkey owner: main's `user_passkeys`, `user_passkey_handles` and
/// `passkey_challenge_uses` for school users, the developers database's `developer_*` twins for developers. The
/// names are constants of this file, never input.
public struct PasskeyTables: Sendable {
    let passkeys: String
    let handles: String
    let challenges: String
    /// The owner column of `passkeys` and `handles`.
    let owner: String

    /// School users' (main database).
    public static let users = PasskeyTables(
        passkeys: "user_passkeys", handles: "user_passkey_handles", challenges: "passkey_challenge_uses", owner: "user_id")
    /// Developers' (developers database).
    public static let developers = PasskeyTables(
        passkeys: "developer_passkeys", handles: "developer_passkey_handles", challenges: "developer_passkey_challenge_uses",
        owner: "developer_id")
}

/// ``PasskeyStore`` over one owner kind's ``PasskeyTables``.
public struct MariaPasskeyStore<Owner: PasskeyOwnerKind>: PasskeyStore {
    let database: MariaDatabase
    let tables: PasskeyTables

    /// Creates the store over a thread's database handle and the owner kind's tables.
    public init(database: MariaDatabase, tables: PasskeyTables) {
        self.database = database
        self.tables = tables
    }

    private func handle(of owner: RecordID<Owner>) throws -> [UInt8]? {
        try database.query("SELECT handle FROM \(unsafeRaw: tables.handles) WHERE \(unsafeRaw: tables.owner) = \(owner.rawValue)").first?.bytes(
            "handle")
    }

    public func userHandle(of owner: RecordID<Owner>, make: () -> [UInt8]) throws -> [UInt8] {
        if let handle = try handle(of: owner) { return handle }
        try database.execute(
            "INSERT IGNORE INTO \(unsafeRaw: tables.handles) (\(unsafeRaw: tables.owner), handle) VALUES (\(owner.rawValue), \(make()))")
        guard let handle = try handle(of: owner) else {
            throw StoreError(.conflict, detail: "\(tables.handles): no handle for \(owner) after inserting one")
        }
        return handle
    }

    public func credentialIDs(of owner: RecordID<Owner>) throws -> [[UInt8]] {
        try database.query("SELECT credential_id FROM \(unsafeRaw: tables.passkeys) WHERE \(unsafeRaw: tables.owner) = \(owner.rawValue) ORDER BY id")
            .compactMap { $0.bytes("credential_id") }
    }

    public func passkey(credentialID: [UInt8]) throws -> (id: Int64, owner: RecordID<Owner>, stored: StoredPasskey)? {
        let hash = Array(SHA256.hash(data: credentialID))
        guard
            let row = try database.query(
                """
                SELECT p.id, p.\(unsafeRaw: tables.owner) AS owner, p.credential_id, p.public_key, p.sign_count, p.backup_eligible, h.handle
                FROM \(unsafeRaw: tables.passkeys) p JOIN \(unsafeRaw: tables.handles) h ON h.\(unsafeRaw: tables.owner) = p.\(unsafeRaw: tables.owner)
                WHERE p.credential_hash = \(hash)
                """
            ).first, let id = row.int("id"), let owner = row.id("owner", as: Owner.self), row.bytes("credential_id") == credentialID
        else { return nil }
        return (
            Int64(id), owner,
            StoredPasskey(
                credentialID: credentialID, owner: Owner.passkeyAccount(owner), userHandle: row.bytes("handle") ?? [],
                publicKey: row.bytes("public_key") ?? [], signCount: UInt32(clamping: row.int("sign_count") ?? 0),
                backupEligible: row.int("backup_eligible") == 1)
        )
    }

    public func addPasskey(_ passkey: RegisteredPasskey, owner: RecordID<Owner>, name: String, now: Date) throws -> Bool {
        try database.execute(
            """
            INSERT IGNORE INTO \(unsafeRaw: tables.passkeys) (\(unsafeRaw: tables.owner), credential_id, credential_hash, public_key, cose_algorithm,
                                                       sign_count, backup_eligible, backed_up, aaguid, name, created_at)
            VALUES (\(owner.rawValue), \(passkey.credentialID), \(Array(SHA256.hash(data: passkey.credentialID))), \(passkey.publicKey),
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
            UPDATE \(unsafeRaw: tables.passkeys) SET sign_count = \(Int(signCount)), backed_up = \(backedUp), last_used_at = \(now)
            WHERE id = \(id) AND (sign_count < \(Int(signCount)) OR (sign_count = 0 AND \(Int(signCount)) = 0))
            """
        ).affectedRows == 1
    }

    public func passkeys(of owner: RecordID<Owner>) throws -> [PasskeySummary] {
        try database.query(
            """
            SELECT id, name, backed_up, created_at, last_used_at FROM \(unsafeRaw: tables.passkeys)
            WHERE \(unsafeRaw: tables.owner) = \(owner.rawValue) ORDER BY created_at, id
            """
        ).compactMap { row in
            guard let id = row.int("id"), let created = row.date("created_at") else { return nil }
            return PasskeySummary(
                id: Int64(id), name: row.string("name") ?? "", backedUp: row.int("backed_up") == 1, createdAt: created,
                lastUsedAt: row.date("last_used_at"))
        }
    }

    public func removePasskey(_ id: Int64, of owner: RecordID<Owner>) throws -> Bool {
        try database.execute("DELETE FROM \(unsafeRaw: tables.passkeys) WHERE id = \(id) AND \(unsafeRaw: tables.owner) = \(owner.rawValue)")
            .affectedRows
            == 1
    }

    public func consumeChallenge(_ replayKey: [UInt8], expiresAt: Date) throws -> Bool {
        try database.execute("INSERT IGNORE INTO \(unsafeRaw: tables.challenges) (replay_key, expires_at) VALUES (\(replayKey), \(expiresAt))")
            .affectedRows == 1
    }

    public func purgeAnsweredChallenges(before now: Date) throws -> Int {
        Int(try database.execute("DELETE FROM \(unsafeRaw: tables.challenges) WHERE expires_at < \(now)").affectedRows)
    }
}
