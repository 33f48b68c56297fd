import Domain
import Foundation
import Testing

@testable import MariaStore

/// Developer teams against a real MariaDB with `schema/developers` applied: an app of an organisation answers
/// each member as their role allows, a removed member is refused at the next call, invitations are single use
/// and expire, and ownership moves only from the owner to an admin.
@Suite(.serialized) struct OrganisationStoreTests {
    let db: TestDatabase
    let organisations: MariaOrganisationStore
    let apps: MariaApplicationStore
    let secrets: MariaApplicationCredentialStore
    let keys: MariaAPIKeyStore
    let webhooks: MariaWebhookStore
    let owner: DeveloperID
    let viewer: DeveloperID
    let outsider: DeveloperID
    let organisation: OrganisationID
    let app: ApplicationID
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    init() throws {
        db = try TestDatabase(schema: "developers")
        organisations = MariaOrganisationStore(database: db.database)
        apps = MariaApplicationStore(database: db.database)
        secrets = MariaApplicationCredentialStore(database: db.database)
        keys = MariaAPIKeyStore(database: db.database)
        webhooks = MariaWebhookStore(database: db.database)
        let accounts = MariaDeveloperAccountStore(database: db.database)
        let created = now
        func developer(_ name: String) throws -> DeveloperID {
            try accounts.createDeveloper(
                NewDeveloper(email: "\(name.lowercased())@example.test", name: name, company: nil, passwordHash: "$argon2id$x"), now: created)
        }
        owner = try developer("Grace")
        viewer = try developer("Vera")
        outsider = try developer("Mallory")
        app = try apps.createApplication(owner: owner, clientID: ClientID("cw_app_team"), draft: ApplicationDraft(name: "Helper"), now: now)
        organisation = try organisations.personalOrganisation(of: owner, now: now)
    }

    /// Invites `email` as `role` and accepts it as `developer`; the invitation's token.
    @discardableResult
    func join(_ developer: DeveloperID, email: String, as role: OrganisationRole, token: String = UUID().uuidString) throws -> String {
        let invited = try organisations.createInvitation(
            NewOrganisationInvitation(
                organisation: organisation, email: email, role: role, digest: SecretToken.digest(token), expiresAt: now + 3600),
            by: owner, now: now)
        #expect(invited)
        guard case .valid = try organisations.acceptInvitation(digest: SecretToken.digest(token), by: developer, email: email, now: now + 1)
        else { throw Failure("invitation refused") }
        return token
    }

    func members() throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try db.database.query(
                "SELECT developer_id, role FROM organisation_members WHERE organisation_id = \(organisation.rawValue)"
            ).map { ("\($0.int("developer_id")!)", $0.string("role")!) })
    }

    @Test func theFirstAppStartsAPersonalOrganisationOwnedByItsCreator() throws {
        #expect(
            try organisations.organisations(of: owner) == [OrganisationMembership(id: organisation, name: "Grace", role: .owner, isPersonal: true)])
        #expect(try organisations.personalOrganisation(of: owner, now: now + 5) == organisation, "one personal organisation")
        #expect(try apps.application(app, owner: owner)?.role == .owner)
        #expect(try organisations.organisations(of: outsider) == [])
    }

    @Test func aViewerReadsTheAppButChangesNothing() throws {
        try join(viewer, email: "vera@example.test", as: .viewer)
        let seen = try #require(try apps.application(app, owner: viewer))
        #expect(seen.role == .viewer)
        #expect(try apps.applications(of: viewer).map(\.id) == [app])
        #expect(try secrets.clientSecrets(of: app, owner: viewer) == [])
        #expect(try apps.history(of: app, owner: viewer) == [])

        // Every write the store offers answers as for a stranger, and nothing is written.
        let outcome = try seen.review.transition(.edit(ApplicationDraft(name: "Renamed")), by: .developer(viewer), at: now).get()
        #expect(try apps.applyTransition(outcome, to: app, expectedVersion: seen.version, actorName: "Vera", now: now) == .notFound)
        #expect(try secrets.addClientSecret(digest: SecretToken.digest("v"), to: app, owner: viewer, now: now) == .notFound)
        #expect(
            try keys.createAPIKey(
                NewAPIKey(name: "k", scopes: ["school.read"], visiblePrefix: "cw_key_abcdefgh", digest: SecretToken.digest("k")), for: app,
                owner: viewer, now: now) == nil)
        #expect(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/x", events: [.appApproved], sealedSecret: [1]), for: app, owner: viewer, now: now)
                == nil)
        #expect(try apps.application(app, owner: owner)?.review.currentContent.name == "Helper")
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM application_client_secrets").first?.int("n") == 0)

        // An outsider sees nothing at all.
        #expect(try apps.application(app, owner: outsider) == nil)
        #expect(try apps.applications(of: outsider).isEmpty)
        #expect(try organisations.organisation(organisation, member: outsider, now: now) == nil)
    }

    @Test func aDeveloperEditsAndAnAdminManagesCredentialsRecordedWithTheirName() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        let seen = try #require(try apps.application(app, owner: viewer))
        let outcome = try seen.review.transition(.edit(ApplicationDraft(name: "Renamed")), by: .developer(viewer), at: now).get()
        #expect(try apps.applyTransition(outcome, to: app, expectedVersion: seen.version, actorName: "Vera", now: now) == .saved(version: 2))
        #expect(try secrets.addClientSecret(digest: SecretToken.digest("d"), to: app, owner: viewer, now: now) == .notFound)

        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: owner, now: now) == .changed)
        guard case .added = try secrets.addClientSecret(digest: SecretToken.digest("a"), to: app, owner: viewer, now: now) else {
            throw Failure("an admin may add a secret")
        }
        #expect(try secrets.clientSecrets(of: app, owner: owner)?.map(\.createdBy) == ["Vera"])
    }

    @Test func aRemovedMemberIsRefusedAtTheirNextCall() throws {
        try join(viewer, email: "vera@example.test", as: .admin)
        #expect(try apps.application(app, owner: viewer) != nil)
        #expect(try organisations.changeMember(viewer, of: organisation, to: nil, by: owner, now: now) == .changed)
        #expect(try apps.application(app, owner: viewer) == nil)
        #expect(try apps.applications(of: viewer).isEmpty)
        #expect(try secrets.addClientSecret(digest: SecretToken.digest("r"), to: app, owner: viewer, now: now) == .notFound)
        #expect(try organisations.organisation(organisation, member: viewer, now: now) == nil)
        #expect(try organisations.changeMember(owner, of: organisation, to: .viewer, by: viewer, now: now) == .notFound)
    }

    @Test func membersBelowAdminManageNobodyAndTheOwnerIsNeverDemotedOrRemoved() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: viewer, now: now) == .forbidden)
        #expect(try organisations.changeMember(owner, of: organisation, to: nil, by: viewer, now: now) == .forbidden)
        #expect(try organisations.changeMember(owner, of: organisation, to: .admin, by: owner, now: now) == .forbidden)
        #expect(try organisations.changeMember(viewer, of: organisation, to: .owner, by: owner, now: now) == .forbidden)
        #expect(
            try organisations.createInvitation(
                NewOrganisationInvitation(
                    organisation: organisation, email: "x@example.test", role: .viewer, digest: SecretToken.digest("dev-invite"),
                    expiresAt: now + 60), by: viewer, now: now) == false)
        #expect(try members() == ["\(owner)": "owner", "\(viewer)": "developer"])
    }

    @Test func anInvitationWorksOnceForItsAddressAndNotAfterItExpires() throws {
        let token = try join(viewer, email: "vera@example.test", as: .viewer)
        let again = try organisations.acceptInvitation(digest: SecretToken.digest(token), by: outsider, email: "vera@example.test", now: now + 2)
        #expect(again == .used)
        #expect(try organisations.invitation(digest: SecretToken.digest(token), now: now + 2) == .used)
        #expect(try organisations.invitation(digest: SecretToken.digest("unknown"), now: now) == .invalid)

        let late = "late"
        #expect(
            try organisations.createInvitation(
                NewOrganisationInvitation(
                    organisation: organisation, email: "mallory@example.test", role: .admin, digest: SecretToken.digest(late),
                    expiresAt: now + 60), by: owner, now: now))
        #expect(
            try organisations.acceptInvitation(digest: SecretToken.digest(late), by: outsider, email: "other@example.test", now: now + 1)
                == .otherAddress)
        #expect(
            try organisations.acceptInvitation(digest: SecretToken.digest(late), by: outsider, email: "mallory@example.test", now: now + 60)
                == .expired)
        #expect(try members() == ["\(owner)": "owner", "\(viewer)": "viewer"], "nothing written by a refused acceptance")
        #expect(
            try organisations.createInvitation(
                NewOrganisationInvitation(
                    organisation: organisation, email: "x@example.test", role: .owner, digest: SecretToken.digest("owner"), expiresAt: now + 60),
                by: owner, now: now) == false, "ownership is never offered")
    }

    @Test func ownershipMovesFromTheOwnerToAnAdminOnly() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        #expect(try organisations.transferOwnership(of: organisation, to: viewer, by: owner, now: now) == .forbidden, "a developer is no admin")
        #expect(try organisations.transferOwnership(of: organisation, to: outsider, by: owner, now: now) == .notFound)
        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: owner, now: now) == .changed)
        #expect(try organisations.transferOwnership(of: organisation, to: owner, by: viewer, now: now) == .forbidden)
        #expect(try organisations.transferOwnership(of: organisation, to: viewer, by: owner, now: now) == .changed)
        #expect(try members() == ["\(owner)": "admin", "\(viewer)": "owner"])
        // No longer anyone's personal organisation: the old owner's next app starts a new one.
        let next = try organisations.personalOrganisation(of: owner, now: now + 10)
        #expect(next != organisation)
        #expect(try organisations.changeMember(owner, of: organisation, to: nil, by: viewer, now: now) == .changed)
        #expect(try apps.application(app, owner: owner) == nil)
    }

    func count(_ table: String) throws -> Int {
        try db.database.query("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first?.int("n") ?? -1
    }

    @Test func everyMemberActionIsInTheAppsActivityWithItsActorAndARefusedOneWritesNothing() throws {
        try join(viewer, email: "vera@example.test", as: .admin)
        let seen = try #require(try apps.application(app, owner: viewer))
        let edit = try seen.review.transition(.edit(ApplicationDraft(name: "Renamed")), by: .developer(viewer), at: now).get()
        #expect(try apps.applyTransition(edit, to: app, expectedVersion: seen.version, actorName: "Vera", now: now) == .saved(version: 2))
        guard case .added(let secret) = try secrets.addClientSecret(digest: SecretToken.digest("s"), to: app, owner: viewer, now: now) else {
            throw Failure("an admin may add a secret")
        }
        #expect(try secrets.revokeClientSecret(secret, of: app, owner: owner, now: now))
        let key = try #require(
            try keys.createAPIKey(
                NewAPIKey(name: "Nightly", scopes: ["school.read"], visiblePrefix: "cw_key_abcdefgh", digest: SecretToken.digest("k")),
                for: app, owner: viewer, now: now))
        #expect(try keys.revokeAPIKey(key, of: app, owner: viewer, now: now))
        // A receiver's path and query may be a capability: only the host is logged.
        let endpoint = try #require(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/services/T0/B0/s3cr3t?token=x", events: [.appApproved], sealedSecret: [1]),
                for: app, owner: viewer, now: now))
        #expect(
            try webhooks.updateEndpoint(endpoint, owner: viewer, url: "https://other.example/in", events: [.appApproved], enabled: true, now: now))
        #expect(try webhooks.deleteEndpoint(endpoint, owner: owner, now: now))

        let log = try #require(try apps.activity(of: app, member: viewer, limit: 50))
        #expect(
            log.map { "\($0.actorName) \($0.action.rawValue) \($0.detail ?? "-")" } == [
                "Grace webhook_removed #\(endpoint.rawValue) (other.example)", "Vera webhook_changed #\(endpoint.rawValue) (other.example)",
                "Vera webhook_added #\(endpoint.rawValue) (hooks.example)", "Vera api_key_revoked Nightly (cw_key_abcdefgh…)",
                "Vera api_key_created Nightly (cw_key_abcdefgh…)", "Grace client_secret_revoked #\(secret.rawValue)",
                "Vera client_secret_created #\(secret.rawValue)", "Vera settings_saved -", "Grace created -",
            ])
        #expect(try apps.activity(of: app, member: viewer, limit: 2)?.count == 2)
        #expect(try apps.activity(of: app, member: outsider, limit: 50) == nil, "a non-member reads no activity")

        // Refused actions (a viewer now, a revoked secret again, a stranger's endpoint) add no row.
        let before = try count("application_events")
        #expect(try organisations.changeMember(viewer, of: organisation, to: .viewer, by: owner, now: now) == .changed)
        let again = try #require(try apps.application(app, owner: viewer))
        let refused = try again.review.transition(.edit(ApplicationDraft(name: "No")), by: .developer(viewer), at: now).get()
        #expect(try apps.applyTransition(refused, to: app, expectedVersion: again.version, actorName: "Vera", now: now) == .notFound)
        #expect(try secrets.addClientSecret(digest: SecretToken.digest("v"), to: app, owner: viewer, now: now) == .notFound)
        #expect(try secrets.revokeClientSecret(secret, of: app, owner: owner, now: now) == false)
        #expect(
            try webhooks.createEndpoint(
                NewWebhookEndpoint(url: "https://hooks.example/x", events: [.appApproved], sealedSecret: [1]), for: app, owner: outsider, now: now)
                == nil)
        #expect(try count("application_events") == before)
    }

    @Test func memberChangesAreInTheOrganisationsActivityAndRefusedOnesAreNot() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: viewer, now: now + 2) == .forbidden)
        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: owner, now: now + 2) == .changed)
        #expect(try organisations.transferOwnership(of: organisation, to: viewer, by: owner, now: now + 2) == .changed)
        #expect(try organisations.changeMember(owner, of: organisation, to: nil, by: owner, now: now + 2) == .changed)
        // (The member joined at now + 1, as `join` accepts.)
        let log = try #require(try organisations.activity(of: organisation, member: viewer, limit: 50))
        #expect(
            log.map { "\($0.actorName) \($0.action.rawValue) \($0.subjectName ?? "-") \($0.detail ?? "-")" } == [
                "Grace left - was Admin", "Grace ownership_transferred Vera -", "Grace role_changed Vera Developer → Admin",
                "Vera joined - as Developer", "Grace invited - vera@example.test as Developer",
            ])
        #expect(try organisations.activity(of: organisation, member: owner, limit: 50) == nil, "a former member reads nothing")
    }

    @Test func aCancelledInvitationIsRefusedLikeAnExpiredOneAndOnlyAnAdminCancels() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        let token = "to-cancel"
        #expect(
            try organisations.createInvitation(
                NewOrganisationInvitation(
                    organisation: organisation, email: "mallory@example.test", role: .viewer, digest: SecretToken.digest(token),
                    expiresAt: now + 3600), by: owner, now: now + 2))
        let open = try #require(try organisations.organisation(organisation, member: owner, now: now)?.invitations.first)
        #expect(open.email == "mallory@example.test")
        let events = try count("organisation_events")
        #expect(try organisations.cancelInvitation(open.id, of: organisation, by: viewer, now: now + 2) == .forbidden)
        #expect(try organisations.cancelInvitation(open.id, of: organisation, by: outsider, now: now) == .notFound)
        #expect(try count("organisation_events") == events, "a refused cancellation logs nothing")
        #expect(try organisations.cancelInvitation(open.id, of: organisation, by: owner, now: now + 2) == .changed)
        #expect(try organisations.cancelInvitation(open.id, of: organisation, by: owner, now: now + 2) == .notFound, "once")
        #expect(try organisations.organisation(organisation, member: owner, now: now)?.invitations == [])
        #expect(try organisations.invitation(digest: SecretToken.digest(token), now: now) == .expired)
        #expect(
            try organisations.acceptInvitation(digest: SecretToken.digest(token), by: outsider, email: "mallory@example.test", now: now) == .expired)
        #expect(try organisations.organisation(organisation, member: outsider, now: now) == nil)
        #expect(try organisations.activity(of: organisation, member: owner, limit: 1)?.first?.action == .invitationCancelled)
    }

    @Test func aNewAppGoesIntoAnOrganisationOnlyWhereTheRoleAllowsCreatingApps() throws {
        try join(viewer, email: "vera@example.test", as: .viewer)
        let apps = try count("applications")
        #expect(
            try self.apps.createApplication(
                owner: viewer, in: organisation, clientID: ClientID("cw_app_v1"), draft: ApplicationDraft(name: "V"), now: now) == nil)
        #expect(
            try self.apps.createApplication(
                owner: outsider, in: organisation, clientID: ClientID("cw_app_o1"), draft: ApplicationDraft(name: "O"), now: now) == nil)
        #expect(try count("applications") == apps, "nothing written for a refused creation")
        #expect(try organisations.changeMember(viewer, of: organisation, to: .developer, by: owner, now: now) == .changed)
        let created = try #require(
            try self.apps.createApplication(
                owner: viewer, in: organisation, clientID: ClientID("cw_app_v2"), draft: ApplicationDraft(name: "Team app"), now: now))
        #expect(try self.apps.application(created, owner: owner)?.role == .owner, "the organisation's owner sees it")
        #expect(try self.apps.activity(of: created, member: owner, limit: 5)?.map(\.actorName) == ["Vera"])
        #expect(try organisations.personalOrganisation(of: viewer, now: now) != organisation)
    }

    // MARK: Issue 20 item 6 gaps: review decisions in Activity, keyset paging, rename, shared tickets

    /// A review decision (by a platform admin, as the app pool writes it) on the team's app.
    func decide(_ event: ApplicationReview.Event, by actor: ApplicationReview.Actor, name: String, at time: Date) throws {
        let stored = try #require(try apps.applicationForReview(app))
        let outcome = try stored.review.transition(event, by: actor, at: time).get()
        #expect(
            try apps.applyTransition(outcome, to: app, expectedVersion: stored.version, actorName: name, now: time)
                == .saved(version: stored.version + 1))
    }

    @Test func thePlatformReviewsDecisionsAppearInTheActivityUnderTheNameTheReviewLogShows() throws {
        try join(viewer, email: "vera@example.test", as: .viewer)
        try decide(.edit(ApplicationStoreTests.complete), by: .developer(owner), name: "Grace", at: now + 5)
        try decide(.submit, by: .developer(owner), name: "Grace", at: now + 10)
        try decide(.reject(reason: "No privacy policy."), by: .platformAdmin(UserID(7)), name: "Ada (platform admin)", at: now + 20)
        let log = try #require(try apps.activity(of: app, member: viewer, limit: 50))
        #expect(
            log.map { "\($0.actorName) \($0.action.rawValue) \($0.detail ?? "-")" } == [
                "Ada (platform admin) review_rejected No privacy policy.", "Grace submitted -", "Grace settings_saved -", "Grace created -",
            ])
        #expect(try apps.history(of: app, owner: viewer)?.first?.actorName == "Ada (platform admin)", "the review log shows the same name")
        #expect(try apps.activity(of: app, member: outsider, page: .newest, limit: 50) == nil)
    }

    @Test func theActivityPagesByKeysetBothWaysAcrossBothLogsWithoutLosingOrRepeatingARow() throws {
        try decide(.edit(ApplicationStoreTests.complete), by: .developer(owner), name: "Grace", at: now + 5)
        try decide(.submit, by: .developer(owner), name: "Grace", at: now + 10)
        // Rows at the very same instant in both logs: the review row sorts above the member's.
        try decide(.approve(narrowedScopes: nil), by: .platformAdmin(UserID(7)), name: "Ada", at: now + 20)
        for minute in 1...6 {
            try db.database.execute(
                """
                INSERT INTO application_events (application_id, actor_id, action, detail, occurred_at)
                VALUES (\(app.rawValue), \(owner.rawValue), 'settings_saved', \("edit \(minute)"), \(now + (minute == 1 ? 20 : Double(minute * 60))))
                """)
        }
        // 10 rows: created, settings saved, submitted, approved + edit 1 (both at now + 20), edits 2…6.
        var seen: [String] = []
        var page = try #require(try apps.activity(of: app, member: owner, page: .newest, limit: 4))
        #expect(page.newer == nil)
        seen += page.entries.map { $0.detail ?? $0.action.rawValue }
        var pages = [page]
        while let older = page.older {
            page = try #require(try apps.activity(of: app, member: owner, page: .older(than: older), limit: 4))
            seen += page.entries.map { $0.detail ?? $0.action.rawValue }
            pages.append(page)
        }
        #expect(
            seen == ["edit 6", "edit 5", "edit 4", "edit 3", "edit 2", "review_approved", "edit 1", "submitted", "settings_saved", "created"])
        #expect(pages.count == 3 && pages.last?.older == nil && pages.last?.entries.count == 2)
        // Back up from the last page: the newer pages are the same rows.
        let fromLast = try #require(pages[2].newer)
        let back = try #require(try apps.activity(of: app, member: owner, page: .newer(than: fromLast), limit: 4))
        #expect(back.entries == pages[1].entries && back.newer != nil && back.older == pages[1].older)
        let fromBack = try #require(back.newer)
        let top = try #require(try apps.activity(of: app, member: owner, page: .newer(than: fromBack), limit: 4))
        #expect(top.entries == pages[0].entries && top.newer == nil)
    }

    @Test func theOrganisationsActivityPagesByKeysetToo() throws {
        // Five renames at the same instant, then one later: ids order the tie.
        for step in 1...6 {
            #expect(try organisations.renameOrganisation(organisation, to: "Name \(step)", by: owner, now: now + (step == 6 ? 60 : 10)) == .changed)
        }
        let first = try #require(try organisations.activity(of: organisation, member: owner, page: .newest, limit: 4))
        #expect(first.entries.map(\.detail) == ["Name 5 → Name 6", "Name 4 → Name 5", "Name 3 → Name 4", "Name 2 → Name 3"])
        let older = try #require(first.older)
        let second = try #require(try organisations.activity(of: organisation, member: owner, page: .older(than: older), limit: 4))
        #expect(second.entries.map(\.detail) == ["Name 1 → Name 2", "Grace → Name 1"] && second.older == nil)
        let newer = try #require(second.newer)
        #expect(try organisations.activity(of: organisation, member: owner, page: .newer(than: newer), limit: 4)?.entries == first.entries)
        #expect(try organisations.activity(of: organisation, member: outsider, page: .newest, limit: 4) == nil)
    }

    @Test func anOwnerOrAnAdminRenamesTheOrganisationAuditedAndNobodyElse() throws {
        try join(viewer, email: "vera@example.test", as: .developer)
        #expect(try organisations.renameOrganisation(organisation, to: "Vera's", by: viewer, now: now) == .forbidden)
        #expect(try organisations.renameOrganisation(organisation, to: "Mallory's", by: outsider, now: now) == .notFound)
        #expect(try organisations.organisation(organisation, member: owner, now: now)?.name == "Grace")
        #expect(try organisations.changeMember(viewer, of: organisation, to: .admin, by: owner, now: now) == .changed)
        #expect(try organisations.renameOrganisation(organisation, to: "Edtech Ltd", by: viewer, now: now + 5) == .changed)
        #expect(try organisations.organisations(of: owner).first?.name == "Edtech Ltd")
        #expect(try organisations.renameOrganisation(organisation, to: "Edtech Ltd", by: owner, now: now + 6) == .changed)
        let log = try #require(try organisations.activity(of: organisation, member: owner, limit: 2))
        #expect(log.first?.action == .renamed && log.first?.actorName == "Vera" && log.first?.detail == "Grace → Edtech Ltd")
        #expect(try count("organisation_events WHERE action = 'renamed'") == 1, "the same name again logs nothing")
    }

    @Test func aTicketAboutTheAppBelongsToTheOrganisationAndAPersonalOneToItsOpener() throws {
        let tickets = MariaSupportTicketStore(database: db.database)
        try join(viewer, email: "vera@example.test", as: .viewer)
        let about = try #require(
            try tickets.openTicket(
                NewSupportTicket(application: app, subject: "Redirects", category: .integration, message: "Help"), by: owner, now: now))
        let personal = try #require(
            try tickets.openTicket(NewSupportTicket(application: nil, subject: "My account", category: .account, message: "Hi"), by: owner, now: now))
        #expect(
            try tickets.openTicket(NewSupportTicket(application: app, subject: "x", category: .other, message: "y"), by: viewer, now: now) == nil,
            "a viewer opens no ticket about the app")
        // A viewer reads the team's ticket, not the owner's own one, and may not answer or close it.
        #expect(try tickets.tickets(of: viewer).map(\.id) == [about])
        #expect(try tickets.ticket(about, owner: viewer)?.mayReply == false)
        #expect(try tickets.ticket(personal, owner: viewer) == nil)
        #expect(try tickets.replyAsDeveloper(to: about, owner: viewer, body: "Me too", now: now + 1) == false)
        #expect(try tickets.closeTicket(about, owner: viewer, now: now + 1) == false)
        // A developer of the organisation answers it, under their own name.
        #expect(try organisations.changeMember(viewer, of: organisation, to: .developer, by: owner, now: now) == .changed)
        #expect(try tickets.ticket(about, owner: viewer)?.mayReply == true)
        #expect(try tickets.replyAsDeveloper(to: about, owner: viewer, body: "Me too", now: now + 2))
        #expect(try tickets.ticket(about, owner: owner)?.messages.last?.authorName == "Vera")
        #expect(try tickets.tickets(of: owner).map(\.id).sorted() == [about, personal].sorted())
        // Removed: nothing at once.
        #expect(try organisations.changeMember(viewer, of: organisation, to: nil, by: owner, now: now) == .changed)
        #expect(try tickets.tickets(of: viewer).isEmpty && tickets.ticket(about, owner: viewer) == nil)
        #expect(try tickets.replyAsDeveloper(to: about, owner: viewer, body: "Still here?", now: now + 3) == false)
        #expect(try tickets.ticket(about, owner: outsider) == nil && tickets.tickets(of: outsider).isEmpty)
        #expect(try tickets.closeTicket(about, owner: owner, now: now + 4))
    }
}
