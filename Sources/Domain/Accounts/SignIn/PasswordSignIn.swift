import Foundation

/// The password sign-in method: an email address or username and a password, checked against the stored
/// argon2id hash.
///
/// - An implausible input (empty, over-long) is never looked up.
/// - An unknown account, or one without a password yet, costs the same time as a real check (`decoy`), so
///   neither the answer nor its timing tells the cases apart.
/// - A hash made with older parameters is replaced on success.
public struct PasswordSignIn {
    let accounts: any AccountStore
    let hasher: any PasswordHasher
    let decoy: (String) throws -> Void

    /// The method over the account store; `decoy` spends one verification's time on a password.
    public init(accounts: any AccountStore, hasher: any PasswordHasher, decoy: @escaping (String) throws -> Void) {
        self.accounts = accounts
        self.hasher = hasher
        self.decoy = decoy
    }

    /// The person, or `nil` when the name and password do not match an active account with that password.
    /// `identifier` is the normalised (trimmed, lower-cased) name.
    public func authenticate(identifier: String, password: String, now: Date) throws -> AuthenticatedPerson? {
        let plausible = !identifier.isEmpty && identifier.utf8.count <= 254 && password.utf8.count <= PasswordRules.maximumBytes
        guard plausible, let candidate = try accounts.signInCandidate(identifier: identifier), let hash = candidate.passwordHash else {
            try decoy(password)
            return nil
        }
        guard try hasher.verify(password, against: hash) else { return nil }
        if hasher.needsRehash(hash) {
            try accounts.setPasswordHash(try hasher.hash(password), for: candidate.user.id, now: now)
        }
        let names = Set([identifier] + [candidate.user.email, candidate.user.username].compactMap { $0?.lowercased() })
        return AuthenticatedPerson(user: candidate.user, methods: [.password], throttleNames: names)
    }
}
