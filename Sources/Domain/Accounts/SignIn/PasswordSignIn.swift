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

    /// What a password sign-in came to.
    public enum Outcome {
        /// The name and password match an active account with that password.
        case signedIn(AuthenticatedPerson)
        /// They do not; `known` is the active account the name belongs to, if any (for the audit log, never for the
        /// answer, which is the same either way).
        case refused(known: UserAccount?)
    }

    /// Checks the name and password. `identifier` is the normalised (trimmed, lower-cased) name.
    public func authenticate(identifier: String, password: String, now: Date) throws -> Outcome {
        let plausible = !identifier.isEmpty && identifier.utf8.count <= 254 && password.utf8.count <= PasswordRules.maximumBytes
        let candidate = plausible ? try accounts.signInCandidate(identifier: identifier) : nil
        guard let candidate, let hash = candidate.passwordHash else {
            try decoy(password)
            return .refused(known: candidate?.user)
        }
        guard try hasher.verify(password, against: hash) else { return .refused(known: candidate.user) }
        if hasher.needsRehash(hash) {
            try accounts.setPasswordHash(try hasher.hash(password), for: candidate.user.id, now: now)
        }
        let names = Set([identifier] + [candidate.user.email, candidate.user.username].compactMap { $0?.lowercased() })
        return .signedIn(AuthenticatedPerson(user: candidate.user, methods: [.password], throttleNames: names))
    }
}
