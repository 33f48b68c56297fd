import Domain
import Foundation
import Testing

@testable import MariaStore

/// `MariaSecondFactorStore`: a pending seed never replaces an enabled one, a step and a recovery code count once,
/// policies default to school admins.
@Suite(.serialized) struct SecondFactorStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func enrolmentStepsAndRecoveryCodesAreAcceptedOnce() throws {
        let db = try TestDatabase()
        try db.insertTwoSchools(now: now)
        let ada = UserID(try db.insertUser("ada", role: "teacher", school: 1, now: now))
        let store = MariaSecondFactorStore(database: db.database)
        #expect(try store.totp(of: ada) == nil)
        #expect(try store.setPendingTOTPSecret([1, 1], for: ada, now: now))
        #expect(try store.setPendingTOTPSecret([2, 2], for: ada, now: now), "a pending seed may be replaced")
        #expect(try !store.enableTOTP(for: ada, sealedSecret: [1, 1], step: 5, recoveryCodeDigests: [], now: now), "not the seed shown")
        let codes = [[UInt8](repeating: 7, count: 32), [UInt8](repeating: 8, count: 32)]
        #expect(try store.enableTOTP(for: ada, sealedSecret: [2, 2], step: 5, recoveryCodeDigests: codes, now: now))
        #expect(try !store.setPendingTOTPSecret([3, 3], for: ada, now: now), "an enabled seed is never replaced")
        #expect(try store.totp(of: ada) == UserTOTP(sealedSecret: [2, 2], enabledAt: now, lastUsedStep: 5))
        #expect(try !store.recordTOTPStep(5, for: ada) && store.recordTOTPStep(6, for: ada) && !store.recordTOTPStep(6, for: ada))
        #expect(try store.unusedRecoveryCodeCount(of: ada) == 2)
        #expect(
            try store.consumeRecoveryCode(digest: codes[0], for: ada, now: now) && !store.consumeRecoveryCode(digest: codes[0], for: ada, now: now))
        #expect(try store.replaceRecoveryCodes([codes[1]], for: ada, now: now) && store.unusedRecoveryCodeCount(of: ada) == 1)
        try store.disableTOTP(for: ada)
        #expect(try store.totp(of: ada) == nil && store.unusedRecoveryCodeCount(of: ada) == 0)
        #expect(try !store.replaceRecoveryCodes(codes, for: ada, now: now), "no codes without a second factor")

        #expect(try store.secondFactorPolicy(of: SchoolID(1)) == .standard)
        try store.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: [.teacher, .schoolAdmin]), of: SchoolID(1), now: now)
        #expect(try store.secondFactorPolicy(of: SchoolID(1)).requiredRoles == [.teacher, .schoolAdmin])
        try store.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: now)
        #expect(try store.secondFactorPolicy(of: SchoolID(1)).requires(.schoolAdmin) == false)
        #expect(SecondFactorPolicy(requiredRoles: []).requires(.platformAdmin), "platform admins always must")

        // The session read of every signed-in page carries the school's policy and whether a TOTP seed or a passkey is on.
        let sessions = MariaSessionStore(database: db.database)
        let digest = [UInt8](repeating: 9, count: 32)
        try sessions.createSession(
            digest: digest, user: ada, methods: [.password], now: now, expiresAt: now + 3600, clientAddress: "", userAgent: "")
        func status() throws -> SecondFactorStatus? { try sessions.session(digest: digest)?.secondFactor }
        #expect(try status() == SecondFactorStatus(policy: SecondFactorPolicy(requiredRoles: []), enrolled: false))
        try db.database.execute("DELETE FROM school_second_factor_policies")
        #expect(try status()?.policy == .standard, "no decision: the standard policy")
        #expect(try store.setPendingTOTPSecret([4, 4], for: ada, now: now))
        #expect(try status()?.enrolled == false, "a pending seed is not on")
        #expect(try store.enableTOTP(for: ada, sealedSecret: [4, 4], step: 1, recoveryCodeDigests: [], now: now))
        #expect(try status()?.enrolled == true)
        try store.disableTOTP(for: ada)
        #expect(try status()?.enrolled == false)
        try db.database.execute(
            """
            INSERT INTO user_passkeys (user_id, credential_id, credential_hash, public_key, cose_algorithm, sign_count, backup_eligible,
                                       backed_up, aaguid, name, created_at)
            VALUES (\(ada.rawValue), X'01', UNHEX(SHA2('x', 256)), X'02', -7, 0, FALSE, FALSE, UNHEX(REPEAT('00', 16)), 'key', \(now))
            """)
        #expect(try status()?.enrolled == true, "a passkey counts")
    }
}
