import Crypto
import Domain
import Foundation

/// Signing keys of one worker process, opened (unsealed and parsed) once per `kid` instead of on every ID
/// token. Which key is current is still read from the database on each use, so a rotation takes effect at
/// once; only the expensive opening is remembered. Keys never change under a `kid` (it is their thumbprint).
final class SigningKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var opened: [String: SigningKey] = [:]

    /// The opened key of a record, from the cache or by unsealing it with `sealingKey`.
    func key(for record: SigningKeyRecord, sealingKey: SymmetricKey) throws -> SigningKey {
        if let key = lock.withLock({ opened[record.kid] }) { return key }
        let key = try SigningKey(record: record, sealingKey: sealingKey)
        lock.withLock {
            // Old kids are few (a rotation adds one); forget everything if that ever stops being true.
            if opened.count > 16 { opened.removeAll() }
            opened[record.kid] = key
        }
        return key
    }
}
