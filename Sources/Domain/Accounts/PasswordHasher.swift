/// Slow, salted hashing of human passwords (argon2id or bcrypt from a well-kept C library).
///
/// Hashes are self-describing strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) so parameters can be raised
/// later: ``needsRehash(_:)`` tells when a stored hash was made with weaker ones, and the caller re-hashes
/// the password on the next successful sign-in.
public protocol PasswordHasher: Sendable {
    /// Hashes a password with a fresh random salt. Throws only when the library cannot allocate its memory.
    func hash(_ password: String) throws -> String
    /// Whether `password` matches `hash`, in time independent of where they differ. A malformed hash is `false`.
    /// Throws when the check cannot run now (a bounded worker's hashing is busy).
    func verify(_ password: String, against hash: String) throws -> Bool
    /// Whether `hash` was made with other parameters than this hasher's.
    func needsRehash(_ hash: String) -> Bool
    /// The parameters, for benchmarks and logs (for example `argon2id m=65536 KiB t=2 p=1`).
    var parameters: String { get }
}
