import Domain
import Foundation
import Testing

/// What the activity logs keep (issue 20 item 6): a developer's review events map to activities, an admin's
/// decision does not (it is in the review log), and details are short and never carry a secret.
@Suite struct ApplicationActivityTests {
    @Test(arguments: [
        (ApplicationReview.EventKind.edit, ApplicationActivity?.some(.settingsSaved)), (.submit, .submitted), (.withdraw, .withdrawn),
        (.discardChange, .changeDiscarded), (.approve, nil), (.reject, nil), (.suspend, nil), (.reinstate, nil),
    ])
    func aDevelopersReviewEventIsAnActivityAndAnAdminsDecisionIsNot(event: ApplicationReview.EventKind, activity: ApplicationActivity?) {
        #expect(ApplicationActivity(event) == activity)
        #expect((activity != nil) == event.isDevelopersAction)
    }

    @Test func aWebhookIsLoggedByItsHostOnlySinceItsPathOrQueryMayBeACapability() {
        #expect(ActivityDetail.webhook(id: 7, url: "https://hooks.example.com/services/T0/B0/s3cr3t?token=abc") == "#7 (hooks.example.com)")
        #expect(ActivityDetail.webhook(id: 8, url: "not a url") == "#8 (?)")
    }

    @Test func detailsAreClippedToTheColumn() {
        let long = String(repeating: "k", count: 500)
        #expect(ActivityDetail.apiKey(name: long, visiblePrefix: "cw_key_abcd").count == ActivityDetail.maximumLength)
        #expect(ActivityDetail.apiKey(name: "Nightly", visiblePrefix: "cw_key_abcd") == "Nightly (cw_key_abcd…)")
        #expect(ActivityDetail.roleChange(from: .developer, to: .admin) == "Developer → Admin")
    }

    @Test func everyActionHasItsOwnWordsAndAStoredNameThatFitsTheColumn() {
        #expect(Set(ApplicationActivity.allCases.map(\.label)).count == ApplicationActivity.allCases.count)
        #expect(Set(OrganisationActivity.allCases.map(\.label)).count == OrganisationActivity.allCases.count)
        #expect(ApplicationActivity.allCases.allSatisfy { $0.rawValue.utf8.count <= 40 })
        #expect(OrganisationActivity.allCases.allSatisfy { $0.rawValue.utf8.count <= 40 })
    }

    @Test func labelsAreMessageCodesNamedAfterTheStoredAction() {
        for action in ApplicationActivity.allCases { #expect(action.label.key == "portal.activity.app.\(action.rawValue)") }
        for action in OrganisationActivity.allCases { #expect(action.label.key == "portal.activity.organisation.\(action.rawValue)") }
        #expect(ApplicationActivity.reviewApproved.label.english == "Platform review: approved the app")
        #expect(OrganisationActivity.renamed.label.english == "Renamed the organisation")
    }
}
