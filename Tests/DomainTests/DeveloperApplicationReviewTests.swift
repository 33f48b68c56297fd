import Domain
import Foundation
import Testing

@testable import StoreTwins

/// The application review state machine: every (state, event) pair as a table row, then the rules inside the
/// legal transitions (scope narrowing, reasons, roles) and a whole life.
@Suite struct DeveloperApplicationReviewTests {
    typealias Review = ApplicationReview
    typealias Effect = ApplicationReview.Effect

    static let owner = DeveloperID(7)
    static let stranger = DeveloperID(8)
    static let admin = UserID(1)
    static let developer = Review.Actor.developer(owner)
    static let platformAdmin = Review.Actor.platformAdmin(admin)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let earlier = Date(timeIntervalSince1970: 1_700_000_000)

    static let complete = ApplicationDraft(
        name: "Homework Helper", description: "Shows pupils their homework.", homepageURL: "https://hh.example",
        privacyPolicyURL: "https://hh.example/privacy", redirectURIs: ["https://hh.example/cb"],
        requestedScopes: ["openid", "profile.read", "student.classes.read"]
    ).declaringEveryScope()
    static var edited: ApplicationDraft {
        var draft = complete
        draft.name = "Homework Helper 2"
        draft.requestedScopes = ["openid", "student.grades.read"]
        return draft.declaringEveryScope()
    }
    static var editedAgain: ApplicationDraft {
        var draft = complete
        draft.description = "Shows pupils their homework and grades."
        return draft
    }
    static let incomplete = ApplicationDraft(name: "Half done", requestedScopes: ["openid"])

    static let live = ApprovedApplication(live: complete, grantedScopes: complete.requestedScopes, approvedAt: earlier)
    static func live(with stage: PendingChange.Stage) -> ApprovedApplication {
        var app = live
        app.pendingChange = PendingChange(proposal: edited, stage: stage)
        return app
    }

    static func record(
        _ subject: Review.Subject, _ from: Review.Status?, _ to: Review.Status?, by actor: Review.Actor = developer,
        reason: String? = nil
    ) -> Effect {
        .recordTransition(.init(subject: subject, from: from, to: to, actor: actor, reason: reason, at: now))
    }

    enum Expected: Equatable {
        case moves(to: Review.State, effects: [Effect])
        case refused(ApplicationReviewError)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let stateLabel: String
        let state: Review.State
        let event: Review.Event
        let expected: Expected
        var testDescription: String {
            switch expected {
            case .moves(let to, _): "\(stateLabel) + \(event.kind) → \(Review(owner: owner, state: to).status)"
            case .refused(let error): "\(stateLabel) + \(event.kind) is refused: \(error.message)"
            }
        }
    }

    static let events: [Review.Event] = [
        .edit(editedAgain), .submit, .withdraw, .discardChange, .approve(narrowedScopes: nil), .reject(reason: " Too broad "),
        .suspend(reason: "Abuse report"), .reinstate,
    ]

    /// What each event does in each state. Edits and submissions are by the owner, decisions by an admin.
    static let table: [Row] = {
        var rows: [Row] = []
        func add(_ label: String, _ state: Review.State, _ outcomes: [Review.EventKind: Expected]) {
            for event in events { rows.append(Row(stateLabel: label, state: state, event: event, expected: outcomes[event.kind]!)) }
        }
        func illegal(_ status: Review.Status, except legal: [Review.EventKind: Expected]) -> [Review.EventKind: Expected] {
            var all: [Review.EventKind: Expected] = [:]
            for kind in Review.EventKind.allCases { all[kind] = legal[kind] ?? .refused(.illegal(kind, in: status)) }
            return all
        }
        func forChange(
            _ stage: Review.Status, except legal: [Review.EventKind: Expected], app: ApprovedApplication
        ) -> [Review.EventKind: Expected] {
            var all: [Review.EventKind: Expected] = [:]
            for kind in Review.EventKind.allCases { all[kind] = legal[kind] ?? .refused(.illegalForChange(kind, in: stage)) }
            all[.suspend] = suspended(app)
            all[.reinstate] = .refused(.illegal(.reinstate, in: .approved))
            return all
        }
        func suspended(_ app: ApprovedApplication) -> Expected {
            .moves(
                to: .suspended(app, reason: "Abuse report"),
                effects: [
                    record(.application, .approved, .suspended, by: platformAdmin, reason: "Abuse report"),
                    .notifyDeveloper(.suspended(reason: "Abuse report")), .queueSync,
                ])
        }

        add(
            "draft", .draft(complete),
            illegal(
                .draft,
                except: [
                    .edit: .moves(to: .draft(editedAgain), effects: []),
                    .submit: .moves(to: .submitted(complete), effects: [record(.application, .draft, .submitted)]),
                ]))
        add(
            "incomplete draft", .draft(incomplete),
            illegal(
                .draft,
                except: [
                    .edit: .moves(to: .draft(editedAgain), effects: []),
                    .submit: .refused(
                        .incomplete([
                            "description": Message("app.submit.description", "Describe what the app does before submitting it."),
                            "homepage_url": Message("app.submit.homepage", "Add the app's homepage before submitting it."),
                            "privacy_policy_url": Message(
                                "app.submit.privacy", "Add a privacy policy before submitting: schools need to know how pupils' data is handled."),
                            "redirect_uris": Message(
                                "app.submit.redirect_uris", "Add at least one redirect URI: users sign in to this app through it."),
                            "declarations": Message(
                                "app.submit.declarations", "Declare how the app uses the data of every scope before submitting; missing: openid.",
                                ["scopes": "openid"]),
                        ])),
                ]))
        add(
            "submitted", .submitted(complete),
            illegal(
                .submitted,
                except: [
                    .withdraw: .moves(to: .draft(complete), effects: [record(.application, .submitted, .draft)]),
                    .approve: .moves(
                        to: .approved(ApprovedApplication(live: complete, grantedScopes: complete.requestedScopes, approvedAt: now)),
                        effects: [
                            record(.application, .submitted, .approved, by: platformAdmin), .notifyDeveloper(.approved), .queueSync,
                        ]),
                    .reject: .moves(
                        to: .rejected(complete, reason: "Too broad"),
                        effects: [
                            record(.application, .submitted, .rejected, by: platformAdmin, reason: "Too broad"),
                            .notifyDeveloper(.rejected(reason: "Too broad")),
                        ]),
                ]))
        add(
            "rejected", .rejected(complete, reason: "Too broad"),
            illegal(
                .rejected,
                except: [
                    .edit: .moves(to: .draft(editedAgain), effects: [record(.application, .rejected, .draft)])
                ]))
        add(
            "approved", .approved(live),
            [
                .edit: .moves(
                    to: .approved(
                        ApprovedApplication(
                            live: complete, grantedScopes: complete.requestedScopes, approvedAt: earlier,
                            pendingChange: PendingChange(proposal: editedAgain, stage: .draft))),
                    effects: [record(.pendingChange, nil, .draft)]),
                .submit: .refused(.noPendingChange), .withdraw: .refused(.noPendingChange),
                .discardChange: .refused(.noPendingChange), .approve: .refused(.noPendingChange),
                .reject: .refused(.noPendingChange), .suspend: suspended(live),
                .reinstate: .refused(.illegal(.reinstate, in: .approved)),
            ])
        func withChange(_ proposal: ApplicationDraft, _ stage: PendingChange.Stage) -> Review.State {
            var app = live
            app.pendingChange = PendingChange(proposal: proposal, stage: stage)
            return .approved(app)
        }
        add(
            "approved with a draft change", .approved(live(with: .draft)),
            forChange(
                .draft,
                except: [
                    .edit: .moves(to: withChange(editedAgain, .draft), effects: []),
                    .submit: .moves(to: withChange(edited, .submitted), effects: [record(.pendingChange, .draft, .submitted)]),
                    .discardChange: .moves(to: .approved(live), effects: [record(.pendingChange, .draft, nil)]),
                ], app: live(with: .draft)))
        add(
            "approved with a submitted change", .approved(live(with: .submitted)),
            forChange(
                .submitted,
                except: [
                    .withdraw: .moves(to: withChange(edited, .draft), effects: [record(.pendingChange, .submitted, .draft)]),
                    .discardChange: .moves(to: .approved(live), effects: [record(.pendingChange, .submitted, nil)]),
                    .approve: .moves(
                        to: .approved(ApprovedApplication(live: edited, grantedScopes: edited.requestedScopes, approvedAt: now)),
                        effects: [
                            record(.pendingChange, .submitted, .approved, by: platformAdmin),
                            .notifyDeveloper(.changeApproved), .queueSync,
                        ]),
                    .reject: .moves(
                        to: withChange(edited, .rejected(reason: "Too broad")),
                        effects: [
                            record(.pendingChange, .submitted, .rejected, by: platformAdmin, reason: "Too broad"),
                            .notifyDeveloper(.changeRejected(reason: "Too broad")),
                        ]),
                ], app: live(with: .submitted)))
        add(
            "approved with a rejected change", .approved(live(with: .rejected(reason: "Too broad"))),
            forChange(
                .rejected,
                except: [
                    .edit: .moves(to: withChange(editedAgain, .draft), effects: [record(.pendingChange, .rejected, .draft)]),
                    .discardChange: .moves(to: .approved(live), effects: [record(.pendingChange, .rejected, nil)]),
                ], app: live(with: .rejected(reason: "Too broad"))))
        add(
            "suspended", .suspended(live, reason: "Abuse report"),
            illegal(
                .suspended,
                except: [
                    .reinstate: .moves(
                        to: .approved(live),
                        effects: [
                            record(.application, .suspended, .approved, by: platformAdmin), .notifyDeveloper(.reinstated), .queueSync,
                        ])
                ]))
        return rows
    }()

    @Test(arguments: table)
    func eachEventInEachStateHasItsOutcome(row: Row) {
        let actor = row.event.kind.isDevelopersAction ? Self.developer : Self.platformAdmin
        let result = Review(owner: Self.owner, state: row.state).transition(row.event, by: actor, at: Self.now)
        switch (result, row.expected) {
        case (.success(let outcome), .moves(let state, let effects)):
            #expect(outcome.review.state == state)
            #expect(outcome.review.owner == Self.owner)
            #expect(outcome.effects == effects)
        case (.failure(let error), .refused(let expected)):
            #expect(error == expected)
        case (.success(let outcome), .refused(let expected)):
            Issue.record("expected \(expected.message), got \(outcome.review.status) with \(outcome.effects)")
        case (.failure(let error), .moves):
            Issue.record("expected a transition, got: \(error.message)")
        }
    }

    @Test func theTableCoversEveryStatusAndEveryEvent() {
        let pairs = Set(Self.table.map { "\(Review(owner: Self.owner, state: $0.state).status)/\($0.event.kind)" })
        #expect(pairs.count == Review.Status.allCases.count * Review.EventKind.allCases.count)
        #expect(Set(Self.table.map(\.stateLabel)).count == 9)
        #expect(Self.table.count == 9 * Review.EventKind.allCases.count)
    }

    @Test(arguments: Review.EventKind.allCases)
    func onlyTheRightKindOfActorMayAct(kind: Review.EventKind) {
        let event = Self.events.first { $0.kind == kind }!
        let review = Review(owner: Self.owner, state: .submitted(Self.complete))
        if kind.isDevelopersAction {
            #expect(review.transition(event, by: Self.platformAdmin, at: Self.now) == .failure(.developerOnly))
            // Which developer may act is the organisation's rule (OrganisationRole), checked by the portal and the store.
        } else {
            #expect(review.transition(event, by: Self.developer, at: Self.now) == .failure(.platformAdminOnly))
            #expect(review.transition(event, by: .developer(Self.stranger), at: Self.now) == .failure(.platformAdminOnly))
        }
    }

    @Test func anAdminMayNarrowTheRequestedScopesKeepingTheRequestOrder() throws {
        let review = Review(owner: Self.owner, state: .submitted(Self.complete))
        let outcome = try review.transition(
            .approve(narrowedScopes: ["student.classes.read", "openid"]), by: Self.platformAdmin, at: Self.now
        ).get()
        guard case .approved(let app) = outcome.review.state else { Issue.record("not approved"); return }
        #expect(app.grantedScopes == ["openid", "student.classes.read"])
        #expect(app.live.requestedScopes == Self.complete.requestedScopes)
    }

    @Test func anApprovalCannotGrantAScopeThatWasNotRequested() {
        let review = Review(owner: Self.owner, state: .submitted(Self.complete))
        #expect(
            review.transition(.approve(narrowedScopes: ["openid", "teacher.grades.write"]), by: Self.platformAdmin, at: Self.now)
                == .failure(.scopesNotRequested(["teacher.grades.write"])))
    }

    @Test func anApprovalNarrowedToNothingIsRefused() {
        let review = Review(owner: Self.owner, state: .submitted(Self.complete))
        #expect(review.transition(.approve(narrowedScopes: []), by: Self.platformAdmin, at: Self.now) == .failure(.noScopesGranted))
    }

    @Test func aSubmittedChangeIsNarrowedAgainstItsOwnRequest() {
        let review = Review(owner: Self.owner, state: .approved(Self.live(with: .submitted)))
        // "profile.read" was requested by the live version but not by the change.
        #expect(
            review.transition(.approve(narrowedScopes: ["profile.read"]), by: Self.platformAdmin, at: Self.now)
                == .failure(.scopesNotRequested(["profile.read"])))
    }

    @Test(arguments: ["", "   ", "\n\t"])
    func rejectionsAndSuspensionsNeedAReason(reason: String) {
        #expect(
            Review(owner: Self.owner, state: .submitted(Self.complete)).transition(
                .reject(reason: reason), by: Self.platformAdmin, at: Self.now) == .failure(.reasonRequired))
        #expect(
            Review(owner: Self.owner, state: .approved(Self.live)).transition(
                .suspend(reason: reason), by: Self.platformAdmin, at: Self.now) == .failure(.reasonRequired))
        #expect(
            Review(owner: Self.owner, state: .approved(Self.live(with: .submitted))).transition(
                .reject(reason: reason), by: Self.platformAdmin, at: Self.now) == .failure(.reasonRequired))
    }

    @Test func aReasonMayBeAThousandCharactersButNotMore() {
        let review = Review(owner: Self.owner, state: .submitted(Self.complete))
        let longest = String(repeating: "é", count: 1000)
        #expect((try? review.transition(.reject(reason: longest), by: Self.platformAdmin, at: Self.now).get()) != nil)
        #expect(review.transition(.reject(reason: longest + "x"), by: Self.platformAdmin, at: Self.now) == .failure(.reasonTooLong))
    }

    @Test func savingAnApprovedAppUnchangedCreatesNoPendingChange() throws {
        let outcome = try Review(owner: Self.owner, state: .approved(Self.live)).transition(
            .edit(Self.complete), by: Self.developer, at: Self.now
        ).get()
        #expect(outcome.review.state == .approved(Self.live))
        #expect(outcome.effects.isEmpty)
    }

    @Test func anIncompleteChangeCannotBeSubmitted() {
        var app = Self.live
        app.pendingChange = PendingChange(proposal: Self.incomplete, stage: .draft)
        let result = Review(owner: Self.owner, state: .approved(app)).transition(.submit, by: Self.developer, at: Self.now)
        guard case .failure(let error) = result else { Issue.record("submitted"); return }
        #expect(error.fieldProblems?["privacy_policy_url"] != nil)
        #expect(error.message == "Some information is still missing; see the marked fields.")
    }

    @Test func theApprovedVersionKeepsWorkingWhileAChangeIsReviewed() throws {
        var review = Review(owner: Self.owner, state: .approved(Self.live))
        review = try review.transition(.edit(Self.edited), by: Self.developer, at: Self.now).get().review
        review = try review.transition(.submit, by: Self.developer, at: Self.now).get().review
        guard case .approved(let app) = review.state else { Issue.record("not approved"); return }
        #expect(review.status == .approved)
        #expect(app.live == Self.complete)
        #expect(app.grantedScopes == Self.complete.requestedScopes)
        #expect(app.pendingChange == PendingChange(proposal: Self.edited, stage: .submitted))
    }

    @Test func aWholeLifeVisitsEveryStatusInOrder() throws {
        var review = Review(owner: Self.owner, state: .draft(Self.incomplete))
        var statuses: [Review.Status] = [review.status]
        let steps: [(Review.Event, Review.Actor)] = [
            (.edit(Self.complete), Self.developer), (.submit, Self.developer),
            (.reject(reason: "Add a privacy policy that mentions pupils"), Self.platformAdmin),
            (.edit(Self.edited), Self.developer), (.submit, Self.developer), (.withdraw, Self.developer),
            (.submit, Self.developer), (.approve(narrowedScopes: nil), Self.platformAdmin),
            (.suspend(reason: "Abuse report"), Self.platformAdmin), (.reinstate, Self.platformAdmin),
        ]
        var recorded = 0
        for (event, actor) in steps {
            let outcome = try review.transition(event, by: actor, at: Self.now).get()
            review = outcome.review
            statuses.append(review.status)
            recorded += outcome.effects.filter { if case .recordTransition = $0 { true } else { false } }.count
        }
        #expect(
            statuses == [
                .draft, .draft, .submitted, .rejected, .draft, .submitted, .draft, .submitted, .approved, .suspended, .approved,
            ])
        #expect(recorded == 9)
    }

    @Test func errorMessagesNameTheStatusAndTheEvent() {
        #expect(ApplicationReviewError.illegal(.edit, in: .submitted).message == "An app that is submitted cannot be edited.")
        #expect(
            ApplicationReviewError.illegalForChange(.approve, in: .draft).message
                == "A pending change that is a draft cannot be approved.")
        #expect(
            ApplicationReviewError.illegal(.discardChange, in: .rejected).message
                == "An app that is rejected has no pending change to discard.")
    }

    @Test func refusalsAreMessageCodesWithTheStatusAndEventNested() {
        let refusal = ApplicationReviewError.illegalForChange(.approve, in: .draft).problem
        #expect(refusal.key == "review.error.illegal_for_change")
        #expect(refusal.nested["status"]?.key == "review.error.status.draft")
        #expect(refusal.nested["event"]?.key == "review.error.event.approve")
        #expect(refusal.english == "A pending change that is a draft cannot be approved.")
        #expect(ApplicationReviewError.reasonTooLong.problem.count == ApplicationReview.maximumReasonLength)
        #expect(ApplicationReviewError.scopesNotRequested(["a", "b"]).problem.arguments == ["scopes": "a, b"])
        #expect(ApplicationReviewError.developerOnly.problem.key == "review.error.developer_only")
    }
}
