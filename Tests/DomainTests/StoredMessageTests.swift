import Domain
import Foundation
import Testing

/// Messages kept for later (a queued roster import's lines) come back with their key, count, arguments, numbers and
/// nested messages; the portal Activity's stored English details are read back as role names a page translates.
@Suite struct StoredMessageTests {
    @Test func aMessageWithNumbersArgumentsAndNestedMessagesSurvivesStorage() throws {
        let problem = RosterProblem(
            file: "users.csv", line: 1204, column: "email",
            problem: Message(
                "roster.problem.username_taken", "'ana' is also the username of the user on line 7", ["value": "ana"], numbers: ["line": 7]))
        let lines = [
            problem.located, Message("roster.problem.more", count: 3, "and 3 more problems"), Message(verbatim: "a line with \"quotes\" / é"),
        ]
        let text = try #require(Message.stored(lines))
        let back = try #require(Message.restored(text))
        #expect(back == lines)
        #expect(back[0].numbers == ["line": 1204] && back[0].arguments == ["file": "users.csv", "column": "email"])
        #expect(back[0].nested["problem"]?.numbers == ["line": 7])
        #expect(back[1].count == 3 && back[1].key == "roster.problem.more")
        #expect(back[2].key.isEmpty && back[2].english == "a line with \"quotes\" / é")
        // Empty parts are left out of the stored form.
        #expect(
            Message.stored([Message("roster.problem.school_gone", "the school no longer exists")])
                == #"[{"english":"the school no longer exists","key":"roster.problem.school_gone"}]"#)
    }

    @Test func aMessagesDatesSurviveStorageAsSecondsSince1970() throws {
        let day = Date(timeIntervalSince1970: 1_780_000_000)
        let message = Message("erasure.refused.scheduled", "already scheduled", dates: ["day": day])
        let text = try #require(Message.stored([message]))
        #expect(text.contains(#""dates":{"day":1780000000}"#))
        #expect(Message.restored(text) == [message])
    }

    @Test(arguments: ["", "not json", "{}", "[{\"key\": \"a\"}]", "[{\"english\": \"a\"}]", "[{\"key\": 1, \"english\": \"a\"}]"])
    func textThatIsNoArrayOfMessagesIsNotRestored(text: String) {
        #expect(Message.restored(text) == nil)
    }

    @Test func numbersAreKeptApartFromTheTextArguments() {
        let counts = RosterImportSummary.Counts(created: 1500, updated: 2)
        let summary = RosterImportSummary(
            schoolID: SchoolID(1), schoolName: "Northside", school: .init(updated: 1), terms: counts, courses: counts, classes: counts,
            users: counts, enrollments: counts, guardianLinks: counts, skipped: .init(), ignoredPasswords: 0, endedSessions: 0,
            invitations: [])
        let users = summary.messages[4]
        #expect(users.key == "roster.summary.users")
        #expect(users.numbers == ["created": 1500, "updated": 2, "unchanged": 0, "deactivated": 0] && users.arguments.isEmpty)
        #expect(users.english == "Users: 1500 created, 2 updated, 0 unchanged, 0 deactivated")
        let located = RosterProblem(file: "users.csv", line: 12, column: nil, message: "x").located
        #expect(located.numbers == ["line": 12] && located.arguments == ["file": "users.csv"])
    }

    @Test(arguments: [
        (OrganisationActivity.joined, "as Developer", "portal.activity.detail.as_role", ["role": "portal.teams.role.developer"]),
        (.left, "was Admin", "portal.activity.detail.was_role", ["role": "portal.teams.role.admin"]),
        (.removed, "was Viewer", "portal.activity.detail.was_role", ["role": "portal.teams.role.viewer"]),
        (.invited, "ana as x@example.com as Viewer", "portal.activity.detail.invited_as", ["role": "portal.teams.role.viewer"]),
        (
            .roleChanged, "Viewer → Admin", "portal.activity.detail.role_change",
            ["old": "portal.teams.role.viewer", "new": "portal.teams.role.admin"]
        ),
    ])
    func anOrganisationsStoredDetailIsReadAsRoleNames(action: OrganisationActivity, detail: String, key: String, roles: [String: String]) throws {
        let message = try #require(ActivityDetail.message(detail, of: action))
        #expect(message.key == key && message.english == detail)
        #expect(message.nested.mapValues(\.key) == roles)
    }

    @Test func theInvitedAddressIsDataUpToTheLastAs() throws {
        let message = try #require(ActivityDetail.message("ana as x@example.com as Viewer", of: .invited))
        #expect(message.arguments == ["email": "ana as x@example.com"])
    }

    @Test(arguments: [
        (OrganisationActivity.joined, "as Wizard"), (.joined, "Developer"), (.left, "was"), (.invited, "x@example.com"),
        (.roleChanged, "Viewer → Admin → Owner"), (.roleChanged, "Viewer -> Admin"), (.renamed, "Old → New"),
        (.invitationCancelled, "x@example.com"),
    ])
    func aDetailThatIsDataOrNotTheStoresIsNotRead(action: OrganisationActivity, detail: String) {
        #expect(ActivityDetail.message(detail, of: action) == nil)
    }

    @Test func anAppsPendingChangeIsWordsAndItsKeysAndHostsAreData() {
        #expect(ActivityDetail.message("pending change", of: ApplicationActivity.submitted)?.key == "portal.activity.detail.pending_change")
        #expect(ActivityDetail.message("pending change", of: ApplicationActivity.apiKeyCreated) == nil)
        #expect(ActivityDetail.message("#3 (hooks.example)", of: ApplicationActivity.webhookAdded) == nil)
    }

    @Test func everyRoleLabelIsReadBack() {
        for role in OrganisationRole.allCases { #expect(OrganisationRole(label: role.label) == role) }
        #expect(OrganisationRole(label: "viewer") == nil)
    }
}
