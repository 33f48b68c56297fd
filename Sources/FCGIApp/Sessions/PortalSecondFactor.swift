import Domain
import Foundation

/// The portal's shared checks for the second factor and its throttle, used by the sign-in's code step and by
/// the signed-in two-step pages alike, so both count attempts under the same key and accept a code once.
extension RequestContext {
    /// The per-account counter of TOTP code attempts.
    static func totpThrottleKey(_ developer: DeveloperID) -> [UInt8] {
        SignInThrottlePolicy.key(.person, "totp:\(developer.rawValue)")
    }

    /// Seconds until the longest lock among `keys` ends; `nil` when none is locked.
    func portalRetryAfter(_ keys: [[UInt8]]) throws -> Int? {
        let policy = services.configuration.signIn.throttlePolicy
        return try keys.compactMap { policy.retryAfter(try services.portal.throttle.throttleState(key: $0), now: now) }.max()
    }

    /// Counts a failed attempt under `key`.
    func recordPortalFailure(_ key: [UInt8], scope: SignInThrottlePolicy.Scope = .account) throws {
        let policy = services.configuration.signIn.throttlePolicy
        let now = self.now
        try services.portal.throttle.updateThrottle(key: key) { policy.recordingFailure($0, scope: scope, now: now) }
    }

    /// Whether `code` is a current code of the developer's enabled TOTP seed that was not used before; its time
    /// step is recorded in the same call, so the same code is never accepted twice (RFC 6238 §5.2).
    func acceptTOTPCode(_ code: String, of developer: DeveloperID, totp: DeveloperTOTP, keys: DeveloperKeyMaterial) throws -> Bool {
        let secret = try KeySealing.open(
            totp.sealedSecret, key: keys.totpSealingKey, associatedData: DeveloperKeyMaterial.totpAssociatedData(developer))
        guard let step = TOTP.verify(code: code, secret: secret, at: now, lastUsedStep: totp.lastUsedStep) else { return false }
        return try services.portal.accounts.recordTOTPStep(step, for: developer)
    }
}
