import Domain
import Foundation
import Testing

/// What sync lets into the main database: only what the latest review decision recorded there permits.
@Suite struct ReviewAttestationTests {
    static let appID = ApplicationID(41)
    static let clientID = ClientID("cw_app_reviewed")
    static let content = ApplicationDraft(
        name: "Homework Helper", description: "Shows pupils their homework.", homepageURL: "https://hh.example",
        privacyPolicyURL: "https://hh.example/privacy", termsURL: "https://hh.example/terms",
        logoSHA256: String(repeating: "ab", count: 32), redirectURIs: ["https://hh.example/cb", "https://hh.example/cb2"],
        requestedScopes: ["openid", "profile.read", "student.classes.read"])
    static let scopes = ["openid", "profile.read"]

    static func synced(
        _ live: ApplicationDraft = content, scopes: [String] = scopes, status: ApplicationReview.Status = .approved,
        id: ApplicationID = appID, clientID: ClientID = clientID
    ) -> SyncedApplication {
        SyncedApplication(
            id: id, clientID: clientID, status: status, live: live, grantedScopes: scopes, developerName: "Dev",
            secretDigests: [], apiKeys: [], marker: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func approval(of live: ApplicationDraft = content, scopes: [String] = scopes) -> ReviewAttestation {
        ReviewAttestation(
            application: appID, clientID: clientID, digest: ReviewAttestation.digest(clientID: clientID, live: live, grantedScopes: scopes),
            suspended: false)
    }

    @Test func theApprovedContentIsPermitted() {
        #expect(Self.approval().permits(Self.synced()))
    }

    @Test func grantedScopesAreASetToTheDigest() {
        #expect(Self.approval().permits(Self.synced(scopes: Self.scopes.reversed())))
    }

    /// Every field the OAuth server or the consent page takes from the app is covered: a change to any of them,
    /// made in the developers database alone, is refused.
    @Test(arguments: [
        "name", "description", "homepage", "privacy", "terms", "logo", "redirect added", "redirect changed",
        "redirect order", "client type", "scope added", "scope replaced",
    ])
    func aChangeToAnyReviewedFieldIsRefused(field: String) {
        var live = Self.content
        var scopes = Self.scopes
        switch field {
        case "name": live.name = "Homework Helper Pro"
        case "description": live.description += "!"
        case "homepage": live.homepageURL = "https://evil.example"
        case "privacy": live.privacyPolicyURL = nil
        case "terms": live.termsURL = "https://hh.example/terms2"
        case "logo": live.logoSHA256 = String(repeating: "cd", count: 32)
        case "redirect added": live.redirectURIs.append("https://evil.example/cb")
        case "redirect changed": live.redirectURIs[0] = "https://evil.example/cb"
        case "redirect order": live.redirectURIs.reverse()
        case "client type": live.clientType = live.clientType == .confidential ? .public : .confidential
        case "scope added": scopes.append("student.grades.read")
        default: scopes = ["openid", "student.grades.read"]
        }
        #expect(!Self.approval().permits(Self.synced(live, scopes: scopes)))
    }

    /// Field boundaries are part of the encoding: moving text from one field to the next changes the digest.
    @Test func movingTextBetweenFieldsChangesTheDigest() {
        var shifted = Self.content
        shifted.name = "Homework Helpe"
        shifted.description = "r" + Self.content.description
        #expect(!Self.approval().permits(Self.synced(shifted)))
        var empty = Self.content
        empty.termsURL = ""
        var absent = Self.content
        absent.termsURL = nil
        #expect(
            ReviewAttestation.digest(clientID: Self.clientID, live: empty, grantedScopes: Self.scopes)
                != ReviewAttestation.digest(clientID: Self.clientID, live: absent, grantedScopes: Self.scopes))
    }

    @Test func anotherAppOrClientIDIsRefused() {
        #expect(!Self.approval().permits(Self.synced(id: ApplicationID(42))))
        #expect(!Self.approval().permits(Self.synced(clientID: ClientID("cw_app_other"))))
    }

    @Test func aSuspensionIsAlwaysPermittedButApprovalAfterASuspensionIsNot() {
        let suspended = ReviewAttestation(application: Self.appID, clientID: Self.clientID, digest: Self.approval().digest, suspended: true)
        #expect(suspended.permits(Self.synced(status: .suspended)))
        #expect(Self.approval().permits(Self.synced(status: .suspended)))
        #expect(!suspended.permits(Self.synced(status: .approved)))
    }

    @Test func appsWithoutALiveVersionAreNeverPermittedNorAttested() {
        for status in [ApplicationReview.Status.draft, .submitted, .rejected] {
            #expect(!Self.approval().permits(Self.synced(status: status)))
        }
        let owner = DeveloperID(7)
        for state in [ApplicationReview.State.draft(Self.content), .submitted(Self.content), .rejected(Self.content, reason: "no")] {
            #expect(ReviewAttestation(application: Self.appID, clientID: Self.clientID, after: ApplicationReview(owner: owner, state: state)) == nil)
        }
    }

    @Test func aDecisionAttestsTheLiveVersionNotThePendingChange() throws {
        var proposal = Self.content
        proposal.redirectURIs = ["https://elsewhere.example/cb"]
        let app = ApprovedApplication(
            live: Self.content, grantedScopes: Self.scopes, approvedAt: Date(timeIntervalSince1970: 1_700_000_000),
            pendingChange: PendingChange(proposal: proposal, stage: .submitted))
        let approved = try #require(
            ReviewAttestation(
                application: Self.appID, clientID: Self.clientID, after: ApplicationReview(owner: DeveloperID(7), state: .approved(app))))
        #expect(approved == Self.approval())
        let suspended = try #require(
            ReviewAttestation(
                application: Self.appID, clientID: Self.clientID,
                after: ApplicationReview(owner: DeveloperID(7), state: .suspended(app, reason: "abuse"))))
        #expect(suspended.suspended && suspended.digest == approved.digest)
    }

    /// The encoding is a stored format: the digest of a fixed value must never change between versions, or every
    /// app would stop syncing after an upgrade.
    @Test func theDigestOfAFixedValueIsStable() {
        let draft = ApplicationDraft(name: "A", redirectURIs: ["https://a.example/cb"], requestedScopes: ["openid"])
        let digest = ReviewAttestation.digest(clientID: ClientID("cw_app_a"), live: draft, grantedScopes: ["openid"])
        #expect(digest.map { String(format: "%02x", $0) }.joined() == Self.pinnedDigest)
    }

    static let pinnedDigest = "66df3db3e6a1bc58468a1ad5c69169ce19fcbe4f1347bc6a40ce3fa1e3bc4f43"

    /// Decisions about the app itself are announced to its webhook endpoints; those about a pending change, and
    /// reinstatements, are not.
    @Test func whichDecisionsAreAnnouncedAsWebhookEvents() {
        #expect(ApplicationReview.Notice.approved.webhookEvent == .appApproved)
        #expect(ApplicationReview.Notice.rejected(reason: "r").webhookEvent == .appRejected)
        #expect(ApplicationReview.Notice.suspended(reason: "r").webhookEvent == .appSuspended)
        for notice: ApplicationReview.Notice in [.reinstated, .changeApproved, .changeRejected(reason: "r")] {
            #expect(notice.webhookEvent == nil)
        }
    }
}
