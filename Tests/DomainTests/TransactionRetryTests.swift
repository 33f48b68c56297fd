import Domain
import Testing

/// The backoff of a transaction refused as a conflict (deadlock, Galera certification failure): bounded,
/// exponential, jittered, within its budget.
struct TransactionRetryTests {
    let policy = TransactionRetry.standard

    @Test func theWaitsDoubleFromTheBaseWithJitterBetweenHalfAndAll() {
        #expect(policy.delay(afterFailedAttempts: 1, waited: .zero, unit: 0) == .microseconds(2500))
        #expect(policy.delay(afterFailedAttempts: 1, waited: .zero, unit: 0.999_999)! <= .milliseconds(5))
        #expect(policy.delay(afterFailedAttempts: 2, waited: .zero, unit: 0) == .milliseconds(5))
        #expect(policy.delay(afterFailedAttempts: 3, waited: .zero, unit: 0.5) == .milliseconds(15))
    }

    @Test func afterTheLastTryThereIsNoWait() {
        #expect(policy.delay(afterFailedAttempts: 4, waited: .zero, unit: 0) == nil)
        #expect(policy.delay(afterFailedAttempts: 0, waited: .zero, unit: 0) == nil)
    }

    @Test func aSingleWaitIsCappedAndAllWaitsStayWithinTheBudget() {
        let long = TransactionRetry(attempts: 40, base: .milliseconds(5), cap: .milliseconds(100), budget: .milliseconds(250))
        #expect(long.delay(afterFailedAttempts: 30, waited: .zero, unit: 1) == .milliseconds(100))
        #expect(long.delay(afterFailedAttempts: 30, waited: .milliseconds(200), unit: 1) == .milliseconds(50))
        #expect(long.delay(afterFailedAttempts: 30, waited: .milliseconds(250), unit: 1) == nil)
        // Whatever the random numbers, the waits of one transaction add up to at most the budget.
        for unit in [0.0, 0.3, 0.999] {
            var waited = Duration.zero
            var failed = 1
            while let wait = long.delay(afterFailedAttempts: failed, waited: waited, unit: unit) {
                waited += wait
                failed += 1
            }
            #expect(waited <= .milliseconds(250))
        }
    }

    @Test func outOfRangeRandomNumbersAreClamped() {
        #expect(policy.delay(afterFailedAttempts: 1, waited: .zero, unit: -3) == .microseconds(2500))
        #expect(policy.delay(afterFailedAttempts: 1, waited: .zero, unit: 7) == .milliseconds(5))
    }
}
