import Crypto
import Domain
import Foundation
import Testing

@Suite struct SessionPolicyTests {
    let policy = SessionPolicy(idleTimeout: 1800, absoluteLifetime: 43200, touchInterval: 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        (0.0, 0.0, SessionPolicy.Verdict.valid(touch: false)),
        (30, 0, .valid(touch: false)),
        (60, 0, .valid(touch: true)),
        (1799, 0, .valid(touch: true)),
        (1800, 0, .expired),
        (43199, 43000, .valid(touch: true)),
        (43200, 43199, .expired),
    ])
    func aSessionEndsAtItsIdleOrAbsoluteLimit(nowOffset: Double, lastSeenOffset: Double, verdict: SessionPolicy.Verdict) {
        #expect(policy.evaluate(createdAt: start, lastSeenAt: start + lastSeenOffset, now: start + nowOffset) == verdict)
    }
}

@Suite struct SignInThrottleTests {
    let policy = SignInThrottlePolicy(accountLimit: 3, addressLimit: 10, window: 600, lockout: 300)
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func theLimitthFailureLocksForTheLockOut() {
        var state: SignInThrottleState?
        for i in 0..<2 {
            state = policy.recordingFailure(state, scope: .account, now: t0 + Double(i))
            #expect(policy.retryAfter(state, now: t0 + Double(i)) == nil)
        }
        state = policy.recordingFailure(state, scope: .account, now: t0 + 2)
        #expect(policy.retryAfter(state, now: t0 + 2) == 300)
        #expect(policy.retryAfter(state, now: t0 + 301.5) == 1)
        #expect(policy.retryAfter(state, now: t0 + 302) == nil)
    }

    @Test func failuresOutsideTheWindowStartANewCount() {
        var state = policy.recordingFailure(nil, scope: .account, now: t0)
        state = policy.recordingFailure(state, scope: .account, now: t0 + 1)
        state = policy.recordingFailure(state, scope: .account, now: t0 + 700)
        #expect(state.failures == 1)
        #expect(policy.retryAfter(state, now: t0 + 700) == nil)
    }

    @Test func aFailureAfterALockEndsCountsFromOne() {
        var state = SignInThrottleState(failures: 3, windowStartedAt: t0, lockedUntil: t0 + 300)
        state = policy.recordingFailure(state, scope: .account, now: t0 + 400)
        #expect(state.failures == 1)
        #expect(state.lockedUntil == nil)
    }

    @Test func addressesHaveTheirOwnHigherLimit() {
        var state: SignInThrottleState?
        for i in 0..<9 { state = policy.recordingFailure(state, scope: .address, now: t0 + Double(i)) }
        #expect(policy.retryAfter(state, now: t0 + 9) == nil)
        state = policy.recordingFailure(state, scope: .address, now: t0 + 9)
        // Past its limit an address is slowed, not locked: 3 s more per failure, at most 30 s.
        #expect(policy.retryAfter(state, now: t0 + 9) == 3)
        state = policy.recordingFailure(state, scope: .address, now: t0 + 12)
        #expect(policy.retryAfter(state, now: t0 + 12) == 6)
        for i in 0..<20 { state = policy.recordingFailure(state, scope: .address, now: t0 + 20 + Double(i)) }
        #expect(policy.retryAfter(state, now: t0 + 39) == 30)
        // A name still locks for the whole lock-out.
        var name: SignInThrottleState?
        for i in 0..<3 { name = policy.recordingFailure(name, scope: .account, now: t0 + Double(i)) }
        #expect(policy.retryAfter(name, now: t0 + 2) == 300)
    }

    @Test func trustedDeviceEntriesAreKeyedPerNameAndRefuseForgeryAndAge() {
        let key = SymmetricKey(data: Array(repeating: 3, count: 32))
        var generator = SystemRandomNumberGenerator()
        // A name long enough that random base64 never spells it: the cookie must not carry the names it vouches for.
        let cookie = TrustedDevice.cookie(
            signingIn: ["adalovelace", "adalovelace@school.test"], keeping: [], now: t0, key: key, using: &generator)
        let entries = TrustedDevice.entries(cookie, now: t0 + 60, key: key)
        #expect(entries.count == 2 && !cookie.contains("adalovelace"))
        let ada = TrustedDevice.entry(for: "ADALOVELACE", in: entries, key: key)
        #expect(ada != nil && TrustedDevice.entry(for: "bo", in: entries, key: key) == nil)
        // Another key, an edited entry, an expired one: none counts.
        #expect(TrustedDevice.entries(cookie, now: t0, key: SymmetricKey(data: Array(repeating: 4, count: 32))).isEmpty)
        #expect(TrustedDevice.entries(cookie.replacingOccurrences(of: ".", with: ".1", options: [], range: nil), now: t0, key: key).isEmpty)
        #expect(TrustedDevice.entries(cookie, now: t0 + TrustedDevice.lifetime, key: key).isEmpty)
        // A later sign-in renews its own entry first and keeps the others, at most five.
        var kept = entries
        for n in 1...6 {
            let next = TrustedDevice.cookie(signingIn: ["pupil\(n)"], keeping: kept, now: t0 + Double(n), key: key, using: &generator)
            kept = TrustedDevice.entries(next, now: t0 + 10, key: key)
        }
        #expect(kept.count == TrustedDevice.maximumEntries)
        #expect(TrustedDevice.entry(for: "pupil6", in: kept, key: key) == kept.first)
        #expect(TrustedDevice.entry(for: "adalovelace", in: kept, key: key) == nil)
        #expect(SignInThrottlePolicy.key(.device, ada!.id) != SignInThrottlePolicy.key(.account, ada!.id))
    }

    @Test func keysAreCaseInsensitiveDigestsThatDifferByScope() {
        #expect(SignInThrottlePolicy.key(.account, "Ada@School.test") == SignInThrottlePolicy.key(.account, "ada@school.test"))
        #expect(SignInThrottlePolicy.key(.account, "127.0.0.1") != SignInThrottlePolicy.key(.address, "127.0.0.1"))
        #expect(SignInThrottlePolicy.key(.account, "x").count == 32)
    }
}

@Suite struct TokenTests {
    struct CountingGenerator: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
    }

    @Test func tokensCarryTheirPrefixAnd256Bits() {
        var generator = CountingGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.session, using: &generator)
        #expect(token.hasPrefix("cw_ses_"))
        #expect(SecretToken.isWellFormed(token, prefix: TokenPrefix.session))
        #expect(!SecretToken.isWellFormed(token, prefix: TokenPrefix.passwordLink))
        #expect(!SecretToken.isWellFormed(token + "x", prefix: TokenPrefix.session))
        #expect(!SecretToken.isWellFormed("cw_ses_" + String(repeating: "!", count: 43), prefix: TokenPrefix.session))
        #expect(SecretToken.make(prefix: "p_", using: &generator) != SecretToken.make(prefix: "p_", using: &generator))
    }

    @Test func theDigestIsSHA256OfTheToken() {
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        #expect(
            SecretToken.digest("abc").map { String(format: "%02x", $0) }.joined()
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func theCSRFTokenMatchesOnlyItsOwnCookie() {
        let token = CSRFToken.derive(fromCookie: "cw_ses_a")
        #expect(CSRFToken.isValid(submitted: token, cookie: "cw_ses_a"))
        #expect(!CSRFToken.isValid(submitted: token, cookie: "cw_ses_b"))
        #expect(!CSRFToken.isValid(submitted: nil, cookie: "cw_ses_a"))
        #expect(!CSRFToken.isValid(submitted: token, cookie: nil))
        #expect(!CSRFToken.isValid(submitted: "", cookie: ""))
    }
}

@Suite struct PasswordRulesTests {
    @Test(arguments: [
        ("correct horse battery", "correct horse battery", nil as String?),
        ("short", "short", "Use at least 10 characters."),
        ("long enough pass", "long enough pasS", "The two passwords do not match."),
        ("ada@school.test", "ada@school.test", "Do not use your email address or username as your password."),
    ])
    func aNewPasswordIsChecked(password: String, confirmation: String, problem: String?) {
        #expect(PasswordRules.problem(with: password, confirmation: confirmation, identifiers: ["Ada@School.test"]) == problem)
    }

    @Test func aPasswordOverTheByteLimitIsRefused() {
        let long = String(repeating: "é", count: 600)
        #expect(PasswordRules.problem(with: long, confirmation: long, identifiers: []) == "Use at most 1024 bytes.")
    }
}

@Suite struct ThrottleNetworkTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80:0:0:0::/64"),
        ("::1", "0:0:0:0::/64"),
        ("2001:db8::1:2:3:4:5:6:7", "2001:db8::1:2:3:4:5:6:7"),
        ("not an address", "not an address"),
        ("1:2:3", "1:2:3"),
    ])
    func addressesAreCountedByNetwork(address: String, network: String) {
        #expect(SignInThrottlePolicy.network(of: address) == network)
    }

    @Test func everyAddressOfOneIPv6SubscriberSharesOneCounter() {
        let one = SignInThrottlePolicy.key(.address, "2001:db8:aa:bb::1")
        #expect(SignInThrottlePolicy.key(.address, "2001:db8:aa:bb:ffff:1:2:3") == one)
        #expect(SignInThrottlePolicy.key(.address, "2001:db8:aa:bc::1") != one)
    }
}

@Suite struct ThrottleScopeTests {
    @Test func aPersonsOwnCountersCannotBeReachedByANameTypedAtSignIn() {
        // Sign-in counts whatever name is typed, known or not; "recheck:42" typed there must not lock person 42.
        #expect(SignInThrottlePolicy.key(.person, "recheck:42") != SignInThrottlePolicy.key(.account, "recheck:42"))
        let policy = SignInThrottlePolicy(accountLimit: 5, addressLimit: 50, window: 900, lockout: 300)
        #expect(policy.limit(.person) == 5 && policy.limit(.address) == 50)
    }

    @Test func aNewGrantsRefreshTokenNeverOutlivesTheAbsoluteLifetime() {
        var generator = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let lifetimes = TokenLifetimes(refreshToken: 365 * 86400, refreshAbsolute: 90 * 86400)
        let minted = MintedTokens.random(refresh: true, lifetimes: lifetimes, now: now, using: &generator)
        #expect(minted.records.first { $0.kind == .refresh }?.expiresAt == now + 90 * 86400)
    }
}
