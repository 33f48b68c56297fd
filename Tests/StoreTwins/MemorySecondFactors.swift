import Domain
import Foundation

/// The in-memory twin of ``SecondFactorStore``.
final class MemorySecondFactors: SecondFactorStore, @unchecked Sendable {
    private let lock = NSLock()
    private var seeds: [UserID: UserTOTP] = [:]
    private var codes: [UserID: [(digest: [UInt8], used: Bool)]] = [:]
    private var policies: [SchoolID: SecondFactorPolicy] = [:]
    /// Whether a person has a passkey (the passkeys' twin, when the two are used together).
    var hasPasskey: (UserID) -> Bool = { _ in false }

    func totp(of user: UserID) throws -> UserTOTP? { lock.withLock { seeds[user] } }

    func setPendingTOTPSecret(_ sealedSecret: [UInt8], for user: UserID, now: Date) throws -> Bool {
        lock.withLock {
            guard seeds[user]?.enabledAt == nil else { return false }
            seeds[user] = UserTOTP(sealedSecret: sealedSecret, enabledAt: nil, lastUsedStep: nil)
            return true
        }
    }

    func enableTOTP(for user: UserID, sealedSecret: [UInt8], step: Int64, recoveryCodeDigests: [[UInt8]], now: Date) throws -> Bool {
        lock.withLock {
            guard let seed = seeds[user], seed.enabledAt == nil, seed.sealedSecret == sealedSecret else { return false }
            seeds[user] = UserTOTP(sealedSecret: sealedSecret, enabledAt: now, lastUsedStep: step)
            codes[user] = recoveryCodeDigests.map { ($0, false) }
            return true
        }
    }

    func disableTOTP(for user: UserID) throws {
        lock.withLock {
            seeds[user] = nil
            codes[user] = nil
        }
    }

    func recordTOTPStep(_ step: Int64, for user: UserID) throws -> Bool {
        lock.withLock {
            guard let seed = seeds[user], seed.enabledAt != nil, (seed.lastUsedStep ?? -1) < step else { return false }
            seeds[user] = UserTOTP(sealedSecret: seed.sealedSecret, enabledAt: seed.enabledAt, lastUsedStep: step)
            return true
        }
    }

    func replaceRecoveryCodes(_ digests: [[UInt8]], for user: UserID, now: Date) throws -> Bool {
        lock.withLock {
            guard seeds[user]?.enabledAt != nil else { return false }
            codes[user] = digests.map { ($0, false) }
            return true
        }
    }

    func consumeRecoveryCode(digest: [UInt8], for user: UserID, now: Date) throws -> Bool {
        lock.withLock {
            guard let index = codes[user]?.firstIndex(where: { $0.digest == digest && !$0.used }) else { return false }
            codes[user]?[index].used = true
            return true
        }
    }

    func unusedRecoveryCodeCount(of user: UserID) throws -> Int { lock.withLock { codes[user]?.filter { !$0.used }.count ?? 0 } }

    func secondFactorPolicy(of school: SchoolID) throws -> SecondFactorPolicy { lock.withLock { policies[school] ?? .standard } }

    /// What the session store reads along with a session (the MariaDB store reads it in the same statement).
    func status(of user: UserAccount) -> SecondFactorStatus {
        let policy = user.schoolID.flatMap { school in lock.withLock { policies[school] } } ?? .standard
        let enrolled = lock.withLock { seeds[user.id]?.enabledAt != nil } || hasPasskey(user.id)
        return SecondFactorStatus(policy: policy, enrolled: enrolled)
    }

    func setSecondFactorPolicy(_ policy: SecondFactorPolicy, of school: SchoolID, now: Date) throws { lock.withLock { policies[school] = policy } }
}
