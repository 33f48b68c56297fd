import Domain
import Foundation
import Testing

@testable import StoreTwins

/// App data declarations (issue 23 item 4): the form's checks, the review rule (no approval without a
/// declaration for every requested scope), the attestation digest, and the data label's words.
@Suite struct DataDeclarationTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let owner = DeveloperID(7)

    func form(
        _ scope: String = "student.grades.read", purpose: String = "Shows grades in the planner.", retention: String = "30_days",
        days: String = "", shares: String = "no", processors: String = ""
    ) -> DataDeclarationForm {
        DataDeclarationForm(scope: scope, purpose: purpose, retention: retention, retentionDays: days, shares: shares, subProcessors: processors)
    }

    @Test func aCompleteBlockBecomesADeclaration() throws {
        let declaration = try #require(
            try form(shares: "yes", processors: "Amazon Web Services, Inc., United States\nMailgun, Germany").validate().get())
        #expect(declaration.scope == "student.grades.read")
        #expect(declaration.retention == .thirtyDays)
        #expect(
            declaration.subProcessors == [
                .init(name: "Amazon Web Services, Inc.", country: "United States"), .init(name: "Mailgun", country: "Germany"),
            ])
    }

    @Test func anEmptyBlockIsNoDeclarationYet() throws {
        #expect(try DataDeclarationForm(scope: "openid").validate().get() == nil)
    }

    @Test(arguments: [
        (DataDeclarationForm(scope: "openid", purpose: "", retention: "session", shares: "no"), "Say why the app needs this data."),
        (DataDeclarationForm(scope: "openid", purpose: "Sign-in", retention: "", shares: "no"), "Choose how long the data is kept."),
        (DataDeclarationForm(scope: "openid", purpose: "Sign-in", retention: "forever", shares: "no"), "Choose how long the data is kept."),
        (
            DataDeclarationForm(scope: "openid", purpose: "Sign-in", retention: "session", shares: ""),
            "Answer whether the data goes to sub-processors."
        ),
    ])
    func aPartlyFilledBlockSaysWhatIsMissing(form: DataDeclarationForm, message: String) {
        guard case .failure(let problem) = form.validate() else { Issue.record("accepted"); return }
        #expect(problem.message == message)
    }

    @Test(arguments: ["", "0", "3651", "-5", "12x", "99999999999"])
    func aCustomRetentionNeedsAWholeNumberOfDaysInRange(days: String) {
        #expect(throws: SchoolworkForms.Problem.self) { try form(retention: "custom", days: days).validate().get() }
    }

    @Test func aCustomRetentionKeepsItsDays() throws {
        #expect(try form(retention: "custom", days: "90").validate().get()?.retention == .days(90))
    }

    @Test func subProcessorAnswersMustAgreeWithTheList() {
        #expect(throws: SchoolworkForms.Problem.self) { try form(shares: "yes", processors: "").validate().get() }
        #expect(throws: SchoolworkForms.Problem.self) { try form(shares: "no", processors: "Mailgun, Germany").validate().get() }
        #expect(throws: SchoolworkForms.Problem.self) { try form(shares: "yes", processors: "Mailgun").validate().get() }
        #expect(throws: SchoolworkForms.Problem.self) { try form(shares: "yes", processors: "Mailgun, Germany\nMailgun, Germany").validate().get() }
        let many = (1...11).map { "Vendor \($0), France" }.joined(separator: "\n")
        #expect(throws: SchoolworkForms.Problem.self) { try form(shares: "yes", processors: many).validate().get() }
        #expect(throws: SchoolworkForms.Problem.self) { try form(purpose: String(repeating: "x", count: 501)).validate().get() }
        #expect(throws: SchoolworkForms.Problem.self) { try form(purpose: "a\u{0}b").validate().get() }
    }

    @Test func theAppFormKeepsDeclarationsOfTickedScopesOnlyAndReportsProblemsByScope() throws {
        var app = ApplicationForm(
            name: "Planner", description: "Plans.", homepageURL: "", privacyPolicyURL: "", termsURL: "", redirectURIs: "",
            scopes: ["openid", "student.grades.read"], clientType: "confidential",
            declarations: [form("openid"), form("student.grades.read"), form("teacher.grades.write")])
        let draft = try app.validate().get()
        #expect(draft.dataDeclarations.map(\.scope) == ["openid", "student.grades.read"])
        app.declarations[1].retention = ""
        guard case .failure(let errors) = app.validate() else { Issue.record("accepted"); return }
        #expect(errors["declaration.student.grades.read"]?.english == "Choose how long the data is kept.")
    }

    @Test func submissionAsksForADeclarationOfEveryScope() {
        let draft = ApplicationDraft(
            name: "Planner", description: "Plans.", homepageURL: "https://p.example", privacyPolicyURL: "https://p.example/privacy",
            redirectURIs: ["https://p.example/cb"], requestedScopes: ["openid", "student.grades.read"],
            dataDeclarations: [.plain("openid")])
        #expect(draft.submissionProblems()["declarations"]?.english.contains("student.grades.read") == true)
        #expect(draft.declaringEveryScope().submissionProblems().isEmpty)
    }

    @Test func anAppWithoutADeclarationForEveryScopeIsNotApproved() throws {
        let undeclared = ApplicationDraft(
            name: "Planner", description: "Plans.", homepageURL: "https://p.example", privacyPolicyURL: "https://p.example/privacy",
            redirectURIs: ["https://p.example/cb"], requestedScopes: ["openid", "student.grades.read"], dataDeclarations: [.plain("openid")])
        let review = ApplicationReview(owner: Self.owner, state: .submitted(undeclared))
        let refused = review.transition(.approve(narrowedScopes: ["openid"]), by: .platformAdmin(UserID(1)), at: Self.now)
        #expect(refused == .failure(.undeclaredScopes(["student.grades.read"])))
        #expect(ApplicationReviewError.undeclaredScopes(["student.grades.read"]).message.contains("cannot be approved"))
        let declared = ApplicationReview(owner: Self.owner, state: .submitted(undeclared.declaringEveryScope()))
        #expect(throws: Never.self) { try declared.transition(.approve(narrowedScopes: nil), by: .platformAdmin(UserID(1)), at: Self.now).get() }
    }

    @Test func aPendingChangeWithoutDeclarationsIsNotApprovedEither() {
        let live = ApplicationDraft(name: "Planner", requestedScopes: ["openid"]).declaringEveryScope()
        var change = live
        change.requestedScopes = ["openid", "profile.email"]
        let app = ApprovedApplication(
            live: live, grantedScopes: ["openid"], approvedAt: Self.now, pendingChange: PendingChange(proposal: change, stage: .submitted))
        let review = ApplicationReview(owner: Self.owner, state: .approved(app))
        #expect(
            review.transition(.approve(narrowedScopes: nil), by: .platformAdmin(UserID(1)), at: Self.now)
                == .failure(.undeclaredScopes(["profile.email"])))
    }

    @Test func theDigestCoversDeclarationsAndStaysTheSameForContentWithout() {
        let client = ClientID("cw_app_1")
        let bare = ApplicationDraft(name: "Planner", requestedScopes: ["openid"])
        let declared = bare.declaringEveryScope()
        var otherPurpose = declared
        otherPurpose.dataDeclarations = [DataDeclaration(scope: "openid", purpose: "Something else", retention: .thirtyDays, subProcessors: [])]
        var otherRetention = declared
        otherRetention.dataDeclarations = [
            DataDeclaration(scope: "openid", purpose: declared.dataDeclarations[0].purpose, retention: .days(30), subProcessors: [])
        ]
        var shared = declared
        shared.dataDeclarations = [
            DataDeclaration(
                scope: "openid", purpose: declared.dataDeclarations[0].purpose, retention: .thirtyDays,
                subProcessors: [.init(name: "X", country: "Y")])
        ]
        let digests = [bare, declared, otherPurpose, otherRetention, shared].map {
            ReviewAttestation.digest(clientID: client, live: $0, grantedScopes: ["openid"])
        }
        #expect(Set(digests).count == 5)
        // Content without declarations digests as before declarations existed (v1 fields only): recorded decisions stay valid.
        #expect(digests[0] == ReviewAttestation.digest(clientID: client, live: bare, grantedScopes: ["openid"]))
    }

    @Test func theDataLabelSaysWhatWhyHowLongAndWhoElseInPlainWords() throws {
        let scopes = ScopeRegistry.standard.definitions(of: ["student.grades.read", "profile.email"])
        let label = DataLabel(
            scopes: scopes,
            declarations: [
                DataDeclaration(
                    scope: "student.grades.read", purpose: "Shows your grades in the planner.", retention: .untilAgreementEnds,
                    subProcessors: [.init(name: "Amazon Web Services", country: "United States"), .init(name: "Mailgun", country: "Germany")])
            ], developer: "Planner Ltd")
        let grades = try #require(label.entries.first { $0.scope == "student.grades.read" })
        #expect(grades.what == "See your grades")
        #expect(grades.why == "Shows your grades in the planner.")
        #expect(grades.howLong == "Kept until your school ends its agreement with the app, then deleted.")
        #expect(grades.whoElse == "Also shared with Amazon Web Services (United States), Mailgun (Germany).")
        #expect(label.entries.first { $0.scope == "profile.email" }?.why == nil)
        #expect(label.hasUndeclared)
        #expect(DataLabel.howLong(.session) == "Only while you are using the app; deleted when you stop.")
        #expect(DataLabel.howLong(.days(1)) == "Kept for 1 day, then deleted.")
        #expect(DataLabel.howLong(.days(45)) == "Kept for 45 days, then deleted.")
        #expect(DataLabel.whoElse([], developer: "Planner Ltd") == "No one else: it stays with Planner Ltd.")
    }
}
