import Domain
import Foundation

/// A hash of a random password, verified against when a sign-in names no account (or one without a
/// password) so that the answer takes as long as a real check.
///
/// Made on first use and then shared by the worker's threads: hashing at start-up would cost every new
/// worker a full argon2id run and its memory, though most never see an unknown account.
final class TimingDecoy: @unchecked Sendable {
    private let hasher: any PasswordHasher
    private let lock = NSLock()
    private var hash: String?

    init(hasher: any PasswordHasher) { self.hasher = hasher }

    /// Spends one verification's worth of time and memory; the result is always `false`.
    /// Throws what the hasher throws (a busy ``PasswordHashingGate``), as a real check would, so a busy worker
    /// answers the same whether or not the account exists. The lock only publishes the hash: it is never held
    /// while hashing.
    func verify(_ password: String) throws {
        var decoy = lock.withLock { hash }
        if decoy == nil {
            let made = try hasher.hash(SecretToken.base64URL(Array(UUID().uuidString.utf8)))
            decoy = lock.withLock {
                if hash == nil { hash = made }
                return hash
            }
        }
        if let decoy { _ = try hasher.verify(password, against: decoy) }
    }
}
