import Domain
import Foundation

/// ``DPoPProofStore`` over main's `oauth_dpop_proof_uses`.
extension MariaTokenStore: DPoPProofStore {
    public func recordProofUse(digest: [UInt8], expiresAt: Date) throws -> Bool {
        // An entry still present after it expired belongs to a proof whose iat the rule now refuses anyway.
        try database.execute(
            "INSERT IGNORE INTO oauth_dpop_proof_uses (proof_digest, expires_at) VALUES (\(digest), \(expiresAt))"
        ).affectedRows == 1
    }

    public func purgeProofUses(before: Date) throws -> Int {
        try database.execute("DELETE FROM oauth_dpop_proof_uses WHERE expires_at < \(before)").affectedRows
    }
}
