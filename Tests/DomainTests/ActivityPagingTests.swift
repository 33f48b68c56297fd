import Domain
import Foundation
import Testing

/// Developer-team gaps (issue 20 item 6): the app's Activity pages by keyset over two tables, shows the platform
/// review's decisions, and an organisation is renamed by its owner or an admin under the creation's name rules.
@Suite struct ActivityPagingTests {
    let t0 = Date(timeIntervalSince1970: 1_795_000_000.123456)

    func row(_ id: Int64, _ source: ActivityCursor.Source = .member, at seconds: Double = 0) -> (
        entry: ActivityEntry<ApplicationActivity>, cursor: ActivityCursor
    ) {
        let at = t0 + seconds
        return (ActivityEntry(actorName: "Lin", action: .settingsSaved, detail: "\(id)", at: at), ActivityCursor(at: at, source: source, id: id))
    }

    @Test func aCursorRoundTripsThroughItsLinkToTheMicrosecond() throws {
        let cursor = ActivityCursor(at: t0, source: .review, id: 42)
        #expect(cursor.token == "1795000000123456.1.42")
        let parsed = try #require(ActivityCursor(token: cursor.token))
        #expect(parsed == cursor && ActivityCursor(at: parsed.at, source: .review, id: 42) == cursor)
    }

    @Test(arguments: ["", "1.2", "1.0.0", "1.2.3", "-1.0.3", "1.0.-3", "1.0.3.4", "a.0.1", "1 .0.1", "99999999999999999999.0.1", "1.0.1e2"])
    func anythingButACursorIsRefused(token: String) {
        #expect(ActivityCursor(token: token) == nil)
    }

    @Test func aPageRequestComesFromBeforeOrAfterButNotBoth() {
        let token = ActivityCursor(at: t0, source: .member, id: 3).token
        #expect(ActivityPageRequest(before: nil, after: nil) == .newest)
        #expect(ActivityPageRequest(before: token, after: nil) == .older(than: ActivityCursor(at: t0, source: .member, id: 3)))
        #expect(ActivityPageRequest(before: nil, after: token) == .newer(than: ActivityCursor(at: t0, source: .member, id: 3)))
        #expect(ActivityPageRequest(before: token, after: token) == nil)
        #expect(ActivityPageRequest(before: "x", after: nil) == nil)
    }

    /// At the cursor's own instant, review rows sort above member rows: the id bound lets exactly the rows past it.
    @Test func theIdBoundSelectsTheRowsPastTheCursorAtTheSameInstant() {
        let review = ActivityCursor(at: t0, source: .review, id: 10)
        #expect(review.idBound(for: .review, .older) == 10 && review.idBound(for: .member, .older) == Int64.max)
        #expect(review.idBound(for: .review, .newer) == 10 && review.idBound(for: .member, .newer) == Int64.max)
        let member = ActivityCursor(at: t0, source: .member, id: 10)
        #expect(member.idBound(for: .review, .older) == 0 && member.idBound(for: .member, .older) == 10)
        #expect(member.idBound(for: .review, .newer) == 0 && member.idBound(for: .member, .newer) == 10)
        #expect(ActivityCursor(at: t0, source: .member, id: 99) < review && ActivityCursor(at: t0 + 0.000001, source: .member, id: 1) > review)
    }

    @Test func theNewestPageLinksOlderOnlyWhenThereIsMore() {
        let rows = [row(5, at: 5), row(4, at: 4), row(3, at: 3)]
        let full = ActivityPage.assemble(rows, for: .newest, limit: 2)
        #expect(full.entries.map(\.detail) == ["5", "4"] && full.older == rows[1].cursor && full.newer == nil)
        let all = ActivityPage.assemble(rows, for: .newest, limit: 3)
        #expect(all.entries.count == 3 && all.older == nil && all.newer == nil)
    }

    @Test func anOlderPageLinksBackNewerAndOnOlderWhenThereIsMore() {
        let rows = [row(3, at: 3), row(2, .review, at: 2), row(1, at: 1)]
        let page = ActivityPage.assemble(rows, for: .older(than: row(4, at: 4).cursor), limit: 2)
        #expect(page.entries.map(\.detail) == ["3", "2"] && page.newer == rows[0].cursor && page.older == rows[1].cursor)
        let last = ActivityPage.assemble(Array(rows.suffix(1)), for: .older(than: rows[1].cursor), limit: 2)
        #expect(last.entries.map(\.detail) == ["1"] && last.older == nil && last.newer == rows[2].cursor)
    }

    @Test func aNewerPageIsReadOldestFirstAndShownNewestFirst() {
        let ascending = [row(3, at: 3), row(4, at: 4), row(5, at: 5)]
        let page = ActivityPage.assemble(ascending, for: .newer(than: row(2, at: 2).cursor), limit: 2)
        #expect(page.entries.map(\.detail) == ["4", "3"] && page.older == ascending[0].cursor && page.newer == ascending[1].cursor)
        let top = ActivityPage.assemble(Array(ascending.suffix(1)), for: .newer(than: ascending[1].cursor), limit: 2)
        #expect(top.entries.map(\.detail) == ["5"] && top.newer == nil && top.older == ascending[2].cursor)
    }

    @Test(arguments: [
        (
            ApplicationReview.Subject.application, ApplicationReview.Status?.some(.submitted), ApplicationReview.Status?.some(.approved),
            ApplicationActivity?.some(.reviewApproved)
        ),
        (.application, .submitted, .rejected, .reviewRejected), (.application, .approved, .suspended, .reviewSuspended),
        (.application, .suspended, .approved, .reviewReinstated), (.pendingChange, .submitted, .approved, .reviewChangeApproved),
        (.pendingChange, .submitted, .rejected, .reviewChangeRejected), (.application, .draft, .submitted, nil),
        (.pendingChange, .draft, .submitted, nil), (.pendingChange, .approved, nil, nil),
    ])
    func aPlatformAdminsDecisionIsAnActivity(
        subject: ApplicationReview.Subject, from: ApplicationReview.Status?, to: ApplicationReview.Status?, activity: ApplicationActivity?
    ) {
        #expect(ApplicationActivity(reviewOf: subject, from: from, to: to) == activity)
        #expect(activity.map(\.isReviewDecision) ?? true)
    }

    @Test func membersActionsAreNotReviewDecisions() {
        #expect(!ApplicationActivity.settingsSaved.isReviewDecision && !ApplicationActivity.apiKeyCreated.isReviewDecision)
    }

    @Test func anOrganisationIsRenamedByItsOwnerOrAnAdminOnly() {
        #expect(OrganisationRole.owner.permits(.renameOrganisation) && OrganisationRole.admin.permits(.renameOrganisation))
        #expect(!OrganisationRole.developer.permits(.renameOrganisation) && !OrganisationRole.viewer.permits(.renameOrganisation))
    }

    @Test func aNewNameFollowsTheRulesOfANameAtCreation() {
        #expect(OrganisationName.validate("  Edtech Ltd \n") == .success("Edtech Ltd"))
        #expect(OrganisationName.validate(" ") == .failure(.empty))
        let longest = String(repeating: "é", count: DeveloperSignUpForm.maximumNameLength)
        #expect(OrganisationName.validate(longest) == .success(longest))
        #expect(OrganisationName.validate(longest + "é") == .failure(.tooLong))
        #expect(OrganisationName.validate("Bad\u{7}name") == .failure(.notOneLine))
        #expect(OrganisationName.validate("Two\nlines") == .failure(.notOneLine))
        #expect(ActivityDetail.rename(from: "Old", to: "New") == "Old → New")
    }
}
