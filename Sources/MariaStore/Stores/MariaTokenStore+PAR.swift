import Domain
import Foundation

/// ``PushedAuthorizationRequestStore`` over main's `oauth_pushed_requests` (migration 0040).
extension MariaTokenStore: PushedAuthorizationRequestStore {
    public func savePushedRequest(digest: [UInt8], clientID: ClientID, parameters: String, expiresAt: Date) throws {
        try database.execute(
            """
            INSERT INTO oauth_pushed_requests (reference_digest, client_id, parameters, expires_at)
            VALUES (\(digest), \(clientID.rawValue), \(parameters), \(expiresAt))
            """)
    }

    public func pushedRequest(digest: [UInt8], now: Date) throws -> PushedRequestRecord? {
        guard
            let row = try database.query(
                """
                SELECT client_id, parameters, consumed_at IS NOT NULL AS consumed FROM oauth_pushed_requests
                WHERE reference_digest = \(digest) AND expires_at > \(now)
                """
            ).first,
            let clientID = row.string("client_id"), let parameters = row.string("parameters").flatMap(PushedAuthorizationRequest.decode)
        else { return nil }
        return PushedRequestRecord(clientID: ClientID(clientID), parameters: parameters, consumed: row.flag("consumed"))
    }

    public func consumePushedRequest(digest: [UInt8], now: Date) throws -> Bool {
        try database.execute(
            """
            UPDATE oauth_pushed_requests SET consumed_at = \(now)
            WHERE reference_digest = \(digest) AND consumed_at IS NULL AND expires_at > \(now)
            """
        ).affectedRows == 1
    }

    public func purgePushedRequests(before: Date) throws -> Int {
        try database.execute("DELETE FROM oauth_pushed_requests WHERE expires_at < \(before)").affectedRows
    }
}

/// ``ClientAssertionUseStore`` over main's `oauth_client_assertion_uses` (migration 0040).
extension MariaTokenStore: ClientAssertionUseStore {
    public func recordAssertionUse(digest: [UInt8], expiresAt: Date) throws -> Bool {
        // INSERT IGNORE on the primary key: of two concurrent uses exactly one inserts.
        try database.execute(
            "INSERT IGNORE INTO oauth_client_assertion_uses (assertion_digest, expires_at) VALUES (\(digest), \(expiresAt))"
        ).affectedRows == 1
    }

    public func purgeAssertionUses(before: Date) throws -> Int {
        try database.execute("DELETE FROM oauth_client_assertion_uses WHERE expires_at < \(before)").affectedRows
    }
}
