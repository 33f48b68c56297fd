import Domain
import Foundation
import Testing

/// Developer account states: every (state, event) pair, who may act, and what each state may reach.
@Suite struct DeveloperAccountLifecycleTests {
    typealias State = DeveloperAccount.State
    typealias Event = DeveloperAccount.LifecycleEvent
    static let account = DeveloperID(5)
    static let owner = DeveloperAccount.LifecycleActor.developer(account)
    static let admin = DeveloperAccount.LifecycleActor.platformAdmin(UserID(1))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Row: Sendable, CustomTestStringConvertible {
        let state: State
        let event: Event
        let next: State?
        let effects: [DeveloperAccount.LifecycleEffect]
        var testDescription: String { "\(state) + \(event) → \(next.map { "\($0)" } ?? "refused")" }
    }

    static let table: [Row] = [
        Row(
            state: .unverified, event: .verifyEmail, next: .active,
            effects: [
                .recordTransition(from: .unverified, to: .active, actor: owner, reason: nil, at: now)
            ]),
        Row(state: .unverified, event: .suspend(reason: "Spam"), next: nil, effects: []),
        Row(state: .unverified, event: .reinstate, next: nil, effects: []),
        Row(state: .active, event: .verifyEmail, next: nil, effects: []),
        Row(
            state: .active, event: .suspend(reason: " Spam "), next: .suspended,
            effects: [
                .recordTransition(from: .active, to: .suspended, actor: admin, reason: "Spam", at: now), .endAllSessions,
                .notifySuspended(reason: "Spam"),
            ]),
        Row(state: .active, event: .reinstate, next: nil, effects: []),
        Row(state: .suspended, event: .verifyEmail, next: nil, effects: []),
        Row(state: .suspended, event: .suspend(reason: "Spam"), next: nil, effects: []),
        Row(
            state: .suspended, event: .reinstate, next: .active,
            effects: [
                .recordTransition(from: .suspended, to: .active, actor: admin, reason: nil, at: now), .notifyReinstated,
            ]),
    ]

    static func name(_ event: Event) -> String {
        switch event {
        case .verifyEmail: "verifyEmail"
        case .suspend: "suspend"
        case .reinstate: "reinstate"
        }
    }

    @Test(arguments: table)
    func eachEventInEachStateHasItsOutcome(row: Row) {
        let actor = row.event == .verifyEmail ? Self.owner : Self.admin
        let result = row.state.transition(row.event, account: Self.account, by: actor, at: Self.now)
        if let next = row.next {
            #expect(result.map(\.state) == .success(next))
            #expect(result.map(\.effects) == .success(row.effects))
        } else {
            #expect(result.map(\.state) == .failure(.illegal(event: Self.name(row.event), state: row.state)))
        }
    }

    @Test func theTableCoversEveryStateAndEvent() {
        #expect(Set(Self.table.map { "\($0.state)/\(Self.name($0.event))" }).count == State.allCases.count * 3)
    }

    @Test func onlyTheOwnerVerifiesAndOnlyAnAdminSuspendsOrReinstates() {
        #expect(
            State.unverified.transition(.verifyEmail, account: Self.account, by: .developer(DeveloperID(6)), at: Self.now).map(\.state)
                == .failure(.notPermitted))
        #expect(
            State.unverified.transition(.verifyEmail, account: Self.account, by: Self.admin, at: Self.now).map(\.state) == .failure(.notPermitted))
        #expect(
            State.active.transition(.suspend(reason: "x"), account: Self.account, by: Self.owner, at: Self.now).map(\.state)
                == .failure(.notPermitted))
        #expect(State.suspended.transition(.reinstate, account: Self.account, by: Self.owner, at: Self.now).map(\.state) == .failure(.notPermitted))
    }

    @Test(arguments: ["", "  ", String(repeating: "x", count: 1001)])
    func aSuspensionNeedsAReasonOfAtMostAThousandCharacters(reason: String) {
        #expect(
            State.active.transition(.suspend(reason: reason), account: Self.account, by: Self.admin, at: Self.now).map(\.state)
                == .failure(.invalidReason))
    }

    @Test func unverifiedAccountsReachOnlyTheVerifyPageAndSuspendedOnesNothing() {
        #expect(State.unverified.access == .verifyEmailOnly)
        #expect(State.active.access == .full)
        #expect(State.suspended.access == .refused)
    }
}
