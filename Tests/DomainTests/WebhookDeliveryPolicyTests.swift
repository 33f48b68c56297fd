import Domain
import Foundation
import Testing

/// The delivery state machine: every event in every state, as tables of plain values.
@Suite struct WebhookDeliveryPolicyTests {
    let policy = WebhookDeliveryPolicy.standard
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Case: Sendable, CustomStringConvertible {
        let description: String
        let attempts: Int
        let endpoint: WebhookDeliveryPolicy.EndpointHealth
        let event: WebhookDeliveryPolicy.Event
        let state: WebhookDeliveryPolicy.State
        /// Seconds after `now`, or nil for no next attempt.
        let delay: TimeInterval?
        let effects: [WebhookDeliveryPolicy.Effect]
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let gone = "Disabled automatically: the endpoint answered 410 Gone."
    static let day = "Disabled automatically: every delivery failed for 24 hours."

    static let cases: [Case] = [
        Case(
            description: "a 2xx on the first attempt succeeds and leaves a healthy endpoint alone", attempts: 0, endpoint: .healthy,
            event: .attempted(.response(status: 204)), state: .succeeded(attempts: 1), delay: nil, effects: []),
        Case(
            description: "a 2xx heals a failing endpoint", attempts: 3, endpoint: .failing(since: t0 - 3600),
            event: .attempted(.response(status: 200)), state: .succeeded(attempts: 4), delay: nil, effects: [.markEndpointHealthy]),
        Case(
            description: "a 500 on the first attempt retries after 5 s and starts the failing streak", attempts: 0, endpoint: .healthy,
            event: .attempted(.response(status: 500)), state: .pending(attempts: 1), delay: 5, effects: [.markEndpointFailing(since: t0)]),
        Case(
            description: "a second failure retries after a minute and keeps the streak's start", attempts: 1,
            endpoint: .failing(since: t0 - 5), event: .attempted(.timedOut), state: .pending(attempts: 2), delay: 60, effects: []),
        Case(
            description: "a redirect is a failed attempt, retried", attempts: 2, endpoint: .failing(since: t0 - 65),
            event: .attempted(.response(status: 302)), state: .pending(attempts: 3), delay: 300, effects: []),
        Case(
            description: "a 404 is retried like any other failure", attempts: 3, endpoint: .failing(since: t0 - 400),
            event: .attempted(.response(status: 404)), state: .pending(attempts: 4), delay: 1800, effects: []),
        Case(
            description: "a refused target is a failed attempt", attempts: 4, endpoint: .failing(since: t0 - 2200),
            event: .attempted(.refusedTarget), state: .pending(attempts: 5), delay: 7200, effects: []),
        Case(
            description: "a connection error is a failed attempt", attempts: 5, endpoint: .failing(since: t0 - 9400),
            event: .attempted(.connectionFailed), state: .pending(attempts: 6), delay: 18000, effects: []),
        Case(
            description: "the seventh failure waits 10 hours", attempts: 6, endpoint: .failing(since: t0 - 27400),
            event: .attempted(.timedOut), state: .pending(attempts: 7), delay: 36000, effects: []),
        Case(
            description: "the eighth failure waits 10 hours more", attempts: 7, endpoint: .failing(since: t0 - 40000),
            event: .attempted(.timedOut), state: .pending(attempts: 8), delay: 36000, effects: []),
        Case(
            description: "the ninth failure gives up when the endpoint has not been failing for a day", attempts: 8,
            endpoint: .failing(since: t0 - 80000), event: .attempted(.response(status: 503)), state: .failed(attempts: 9), delay: nil,
            effects: []),
        Case(
            description: "a failure a day into the streak disables the endpoint and fails the delivery", attempts: 1,
            endpoint: .failing(since: t0 - 86400), event: .attempted(.response(status: 500)), state: .failed(attempts: 2), delay: nil,
            effects: [.disableEndpoint(reason: day)]),
        Case(
            description: "a failure just under a day into the streak is retried", attempts: 1, endpoint: .failing(since: t0 - 86399),
            event: .attempted(.response(status: 500)), state: .pending(attempts: 2), delay: 60, effects: []),
        Case(
            description: "410 Gone disables the endpoint at once", attempts: 0, endpoint: .healthy,
            event: .attempted(.response(status: 410)), state: .failed(attempts: 1), delay: nil, effects: [.disableEndpoint(reason: gone)]),
        Case(
            description: "410 Gone disables a failing endpoint too", attempts: 2, endpoint: .failing(since: t0 - 100),
            event: .attempted(.response(status: 410)), state: .failed(attempts: 3), delay: nil, effects: [.disableEndpoint(reason: gone)]),
        Case(
            description: "a delivery to a disabled endpoint fails unsent", attempts: 2, endpoint: .disabled, event: .notSent,
            state: .failed(attempts: 2), delay: nil, effects: []),
        Case(
            description: "a test ping that fails at a disabled endpoint is not retried and changes nothing", attempts: 0,
            endpoint: .disabled, event: .attempted(.response(status: 410)), state: .failed(attempts: 1), delay: nil, effects: []),
        Case(
            description: "a test ping that succeeds at a disabled endpoint leaves it disabled", attempts: 0, endpoint: .disabled,
            event: .attempted(.response(status: 200)), state: .succeeded(attempts: 1), delay: nil, effects: []),
    ]

    @Test(arguments: cases)
    func transition(_ row: Case) throws {
        let result = try policy.transition(from: .pending(attempts: row.attempts), endpoint: row.endpoint, on: row.event, now: now, jitter: 0)
        #expect(result.state == row.state)
        #expect(result.nextAttemptAt == row.delay.map { now + $0 })
        #expect(result.effects == row.effects)
    }

    @Test(arguments: [WebhookDeliveryPolicy.State.succeeded(attempts: 1), .failed(attempts: 9)])
    func aFinishedDeliveryIsNeverAttemptedAgain(state: WebhookDeliveryPolicy.State) {
        for event in [WebhookDeliveryPolicy.Event.attempted(.response(status: 200)), .attempted(.timedOut), .notSent] {
            #expect(throws: WebhookDeliveryPolicy.IllegalTransition(state: state)) {
                try policy.transition(from: state, endpoint: .healthy, on: event, now: now, jitter: 0)
            }
        }
    }

    @Test func theScheduleSpansAboutADayAndAQuarter() {
        let total = policy.retryDelays.reduce(0, +)
        #expect(total == 99_365)
        #expect((26 * 3600...28 * 3600).contains(total))
        #expect(policy.retryDelays == policy.retryDelays.sorted())
    }

    @Test(arguments: [(-1.0, 4.5), (1.0, 5.5), (-7.0, 4.5), (7.0, 5.5), (0.5, 5.25)])
    func jitterScalesTheDelayByAtMostTenPercent(sample: Double, seconds: TimeInterval) throws {
        let result = try policy.transition(
            from: .pending(attempts: 0), endpoint: .healthy, on: .attempted(.timedOut), now: now, jitter: sample)
        #expect(result.nextAttemptAt == now + seconds)
    }

    @Test func drawnJitterStaysWithinItsRangeAndVaries() {
        var generator = OAuthFixtures.CountingGenerator()
        let samples = (0..<100).map { _ in WebhookDeliveryPolicy.drawJitter(using: &generator) }
        #expect(samples.allSatisfy { (-1...1).contains($0) })
        #expect(samples.contains { $0 < -0.5 } && samples.contains { $0 > 0.5 })
    }

    @Test(arguments: [
        (WebhookEvent.appApproved.rawValue, true, true), (WebhookEvent.appApproved.rawValue, false, false),
        (WebhookEvent.testPingType, false, true), (WebhookEvent.testPingType, true, true),
    ])
    func onlyTestPingsAreSentToADisabledEndpoint(type: String, enabled: Bool, sent: Bool) {
        #expect(WebhookDeliveryPolicy.shouldSend(eventType: type, endpointEnabled: enabled) == sent)
    }

    /// What a delivery run counts as a failed post (and then skips the endpoint for the rest of the run).
    @Test func onlyAPostWithoutA2xxAnswerIsAFailedAttempt() {
        typealias Event = WebhookDeliveryPolicy.Event
        #expect(!Event.attempted(.response(status: 200)).isFailedAttempt)
        #expect(!Event.attempted(.response(status: 299)).isFailedAttempt)
        for failed: Event in [
            .attempted(.response(status: 302)), .attempted(.response(status: 500)), .attempted(.timedOut),
            .attempted(.refusedTarget), .attempted(.connectionFailed),
        ] {
            #expect(failed.isFailedAttempt)
        }
        #expect(!Event.notSent.isFailedAttempt)
    }
}
