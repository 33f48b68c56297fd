import Domain
import Foundation
import Testing

@testable import MariaStore

/// Developers' applications, their review log, the review queue and logos against a real MariaDB with only
/// `schema/developers` applied: every state of ``ApplicationReview`` round-trips through the columns, a stale
/// save is refused without writing, and another developer sees nothing.
@Suite(.serialized) struct ApplicationStoreTests {
    let db: TestDatabase
    let apps: MariaApplicationStore
    let logos: MariaApplicationLogoStore
    let owner: DeveloperID
    let stranger: DeveloperID
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let admin = UserID(42)

    static let complete = ApplicationDraft(
        name: "Homework Helper", description: "Shows pupils their homework.", homepageURL: "https://hh.example",
        privacyPolicyURL: "https://hh.example/privacy", termsURL: "https://hh.example/terms",
        redirectURIs: ["https://hh.example/cb", "http://127.0.0.1:8080/cb"],
        requestedScopes: ["openid", "profile.read", "student.classes.read"], clientType: .confidential,
        dataDeclarations: [
            DataDeclaration(scope: "openid", purpose: "Sign-in.", retention: .session, subProcessors: []),
            DataDeclaration(
                scope: "profile.read", purpose: "Greets pupils by name, \"quoted\" and\nmultiline ✓.", retention: .days(90),
                subProcessors: [.init(name: "Amazon Web Services, Inc.", country: "United States"), .init(name: "Hetzner", country: "Germany")]),
            DataDeclaration(scope: "student.classes.read", purpose: "Lists classes.", retention: .untilAgreementEnds, subProcessors: []),
        ])

    init() throws {
        db = try TestDatabase(schema: "developers")
        apps = MariaApplicationStore(database: db.database)
        logos = MariaApplicationLogoStore(database: db.database)
        let accounts = MariaDeveloperAccountStore(database: db.database)
        owner = try accounts.createDeveloper(
            NewDeveloper(email: "grace@example.test", name: "Grace", company: nil, passwordHash: "$argon2id$x"), now: now)
        stranger = try accounts.createDeveloper(
            NewDeveloper(email: "mallory@example.test", name: "Mallory", company: nil, passwordHash: "$argon2id$x"), now: now)
    }

    func create(_ draft: ApplicationDraft = complete, clientID: String = "cw_app_one", of developer: DeveloperID? = nil) throws
        -> ApplicationID
    {
        try apps.createApplication(owner: developer ?? owner, clientID: ClientID(clientID), draft: draft, now: now)
    }

    /// Applies `event` to the stored app and saves it with the version just read; the outcome's review value.
    @discardableResult
    func act(
        _ event: ApplicationReview.Event, on id: ApplicationID, by actor: ApplicationReview.Actor? = nil, name: String = "Grace",
        at time: Date? = nil
    ) throws -> ApplicationReview {
        let stored = try #require(try apps.applicationForReview(id))
        let outcome = try stored.review.transition(event, by: actor ?? .developer(owner), at: time ?? now).get()
        let saved = try apps.applyTransition(outcome, to: id, expectedVersion: stored.version, actorName: name, now: time ?? now)
        #expect(saved == .saved(version: stored.version + 1))
        return outcome.review
    }

    func syncRequested(_ id: ApplicationID) throws -> Date? {
        try db.database.query("SELECT sync_requested_at FROM applications WHERE id = \(id.rawValue)").first?.date("sync_requested_at")
    }

    // MARK: Ownership

    @Test func aNewAppIsADraftOfItsOwnerAndInvisibleToAnyoneElse() throws {
        let id = try create()
        let stored = try #require(try apps.application(id, owner: owner))
        #expect(stored.review == ApplicationReview(owner: owner, state: .draft(Self.complete)))
        #expect(stored.clientID == ClientID("cw_app_one"))
        #expect(stored.version == 1)
        #expect(stored.createdAt == now && stored.updatedAt == now)
        #expect(try apps.applications(of: owner).map(\.id) == [id])
        #expect(try apps.history(of: id, owner: owner) == [], "creating is not a status change")

        #expect(try apps.application(id, owner: stranger) == nil)
        #expect(try apps.applications(of: stranger) == [])
        #expect(try apps.history(of: id, owner: stranger) == nil)
        #expect(try apps.application(ApplicationID(999), owner: owner) == nil)
    }

    @Test func aStrangersOutcomeWritesNothing() throws {
        let id = try create()
        let theirs = ApplicationReview(owner: stranger, state: .draft(Self.complete))
        let outcome = try theirs.transition(.submit, by: .developer(stranger), at: now).get()
        #expect(try apps.applyTransition(outcome, to: id, expectedVersion: 1, actorName: "Mallory", now: now) == .notFound)
        #expect(try apps.application(id, owner: owner)?.review.status == .draft)
        #expect(try apps.reviewHistory(of: id) == [])
    }

    @Test func aClientIDIsUnique() throws {
        _ = try create(clientID: "cw_app_same")
        #expect {
            _ = try create(clientID: "cw_app_same", of: stranger)
        } throws: { ($0 as? StoreError)?.kind == .duplicate }
    }

    // MARK: Transitions

    @Test func everyStateRoundTripsAndEveryTransitionIsLoggedWithTheSave() throws {
        let id = try create()
        var expected = try act(.submit, on: id)
        #expect(try apps.application(id, owner: owner)?.review == expected)
        #expect(try syncRequested(id) == nil)

        let admin = ApplicationReview.Actor.platformAdmin(Self.admin)
        expected = try act(.approve(narrowedScopes: ["openid", "profile.read"]), on: id, by: admin, name: "Ada (admin)", at: now + 10)
        #expect(try apps.application(id, owner: owner)?.review == expected)
        #expect(try syncRequested(id) == now + 10, "approval queues the sync")

        var edited = Self.complete
        edited.name = "Homework Helper 2"
        edited.redirectURIs = ["https://hh.example/new"]
        expected = try act(.edit(edited), on: id, at: now + 20)
        expected = try act(.submit, on: id, at: now + 30)
        #expect(try apps.application(id, owner: owner)?.review == expected)
        expected = try act(.reject(reason: "  The new address is not yours. "), on: id, by: admin, name: "Ada (admin)", at: now + 40)
        let rejected = try #require(try apps.application(id, owner: owner))
        #expect(rejected.review == expected)
        guard case .approved(let app) = rejected.review.state else { throw Failure("not approved: \(rejected.review.state)") }
        #expect(app.live == Self.complete, "the approved version keeps working")
        #expect(app.grantedScopes == ["openid", "profile.read"])
        #expect(app.pendingChange?.stage == .rejected(reason: "The new address is not yours."))
        #expect(try apps.applications(of: owner).first?.changeStage == .rejected(reason: "The new address is not yours."))
        #expect(try apps.applications(of: owner).first?.name == "Homework Helper", "a pending rename shows once approved")

        expected = try act(.suspend(reason: "Abuse report"), on: id, by: admin, name: "Ada (admin)", at: now + 50)
        #expect(try apps.application(id, owner: owner)?.review == expected)
        #expect(try apps.application(id, owner: owner)?.version == 7, "created at 1, six saves")

        let history = try #require(try apps.history(of: id, owner: owner))
        #expect(
            history.map { "\($0.record.subject.rawValue):\($0.record.from?.rawValue ?? "-")>\($0.record.to?.rawValue ?? "-")" } == [
                "application:approved>suspended", "pending_change:submitted>rejected", "pending_change:draft>submitted",
                "pending_change:->draft", "application:submitted>approved", "application:draft>submitted",
            ])
        #expect(
            history[0].record
                == .init(
                    subject: .application, from: .approved, to: .suspended, actor: admin, reason: "Abuse report", at: now + 50))
        #expect(history[0].actorName == "Ada (admin)")
        #expect(history.last?.record.actor == .developer(owner))
        #expect(history.last?.actorName == "Grace")
        #expect(try apps.reviewHistory(of: id) == history)
    }

    @Test func rejectionAndResubmissionRoundTrip() throws {
        let id = try create(Self.complete, clientID: "cw_app_rej")
        try act(.submit, on: id)
        let rejected = try act(.reject(reason: "No privacy policy content"), on: id, by: .platformAdmin(Self.admin))
        #expect(try apps.application(id, owner: owner)?.review == rejected)
        var fixed = Self.complete
        fixed.logoSHA256 = nil
        fixed.termsURL = nil
        fixed.clientType = .public
        let draft = try act(.edit(fixed), on: id)
        #expect(try apps.application(id, owner: owner)?.review == draft)
        #expect(try apps.history(of: id, owner: owner)?.first?.record.to == .draft)
    }

    @Test func aStaleVersionIsAConflictAndWritesNothing() throws {
        let id = try create()
        let loaded = try #require(try apps.application(id, owner: owner))
        var renamed = Self.complete
        renamed.name = "Other tab"
        let first = try loaded.review.transition(.edit(renamed), by: .developer(owner), at: now).get()
        let second = try loaded.review.transition(.submit, by: .developer(owner), at: now).get()
        #expect(
            try apps.applyTransition(first, to: id, expectedVersion: loaded.version, actorName: "Grace", now: now + 1)
                == .saved(version: 2))
        #expect(
            try apps.applyTransition(second, to: id, expectedVersion: loaded.version, actorName: "Grace", now: now + 2)
                == .conflict)
        let stored = try #require(try apps.application(id, owner: owner))
        #expect(stored.review.state == .draft(renamed))
        #expect(stored.version == 2)
        #expect(stored.updatedAt == now + 1)
        #expect(try apps.history(of: id, owner: owner) == [], "the refused submission left no log row")
    }

    @Test func ofFourConcurrentSavesOfOneVersionExactlyOneIsWritten() throws {
        let id = try create()
        let loaded = try #require(try apps.application(id, owner: owner))
        let outcome = try loaded.review.transition(.submit, by: .developer(owner), at: now).get()
        let name = db.name
        let now = self.now
        let results = try runConcurrently(
            4,
            makeStore: { _ in
                MariaApplicationStore(database: try connected(name))
            }
        ) { store, _ in
            try store.applyTransition(outcome, to: id, expectedVersion: loaded.version, actorName: "Grace", now: now)
        }
        #expect(results.filter { $0 == .saved(version: 2) }.count == 1)
        #expect(results.filter { $0 == .conflict }.count == 3)
        #expect(try apps.history(of: id, owner: owner)?.count == 1)
    }

    // MARK: Review queue

    @Test func theQueueHoldsSubmissionsAndSubmittedChangesLongestWaitingFirst() throws {
        let waiting = try create(clientID: "cw_app_a")
        try act(.submit, on: waiting, at: now + 5)
        let draft = try create(clientID: "cw_app_b")
        let changed = try create(clientID: "cw_app_c", of: owner)
        try act(.submit, on: changed)
        try act(.approve(narrowedScopes: nil), on: changed, by: .platformAdmin(Self.admin))
        var edited = Self.complete
        edited.description = "Now with grades."
        try act(.edit(edited), on: changed, at: now + 1)
        try act(.submit, on: changed, at: now + 2)

        let queue = try apps.reviewQueue()
        #expect(queue.map(\.application.id) == [changed, waiting])
        #expect(queue.map(\.subject) == [.pendingChange, .application])
        #expect(queue[0].developerName == "Grace")
        #expect(queue[0].developerEmail == "grace@example.test")
        #expect(queue[0].waitingSince == now + 2)
        #expect(!queue.contains { $0.application.id == draft })
        #expect(try apps.applicationForReview(changed)?.review.owner == owner)
        #expect(try apps.applicationForReview(ApplicationID(999)) == nil)
    }

    // MARK: Logos

    @Test func theSameLogoIsStoredOnceAndServedOnlyWhileAnApplicationReferstoIt() throws {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + Array(repeating: 7, count: 300_000 / 2)
        let logo = ApplicationLogo(bytes: bytes, image: LogoImage(format: .png, width: 64, height: 32))
        try logos.storeLogo(logo, uploadedBy: owner, now: now)
        try logos.storeLogo(logo, uploadedBy: owner, now: now + 60)
        #expect(try db.database.query("SELECT COUNT(*) AS n FROM application_logos").first?.int("n") == 1)
        #expect(try logos.uploadCount(by: owner, since: now) == 1)
        #expect(try logos.uploadCount(by: owner, since: now + 61) == 0)
        // Stored but referred to by nothing: served by neither site.
        #expect(try logos.logo(sha256: logo.sha256, reach: .anyApplication) == nil)
        var draft = Self.complete
        draft.logoSHA256 = logo.sha256
        _ = try create(draft)
        let served = try #require(try logos.logo(sha256: logo.sha256, reach: .anyApplication))
        #expect(served == logo)
        #expect(served.image.format.contentType == "image/png")
        // A draft's logo is not a live app's: the app site does not serve it.
        #expect(try logos.logo(sha256: logo.sha256, reach: .liveApps) == nil)
        #expect(try logos.logo(sha256: String(repeating: "0", count: 64), reach: .anyApplication) == nil)
        #expect(try logos.logo(sha256: "short", reach: .anyApplication) == nil)
    }

    @Test func aDraftCanReferOnlyToAStoredLogoAndThePurgeSparesReferencedOnes() throws {
        let used = ApplicationLogo(bytes: [0xFF, 0xD8, 0xFF, 1], image: LogoImage(format: .jpeg, width: 10, height: 10))
        let orphan = ApplicationLogo(bytes: [0xFF, 0xD8, 0xFF, 2], image: LogoImage(format: .jpeg, width: 10, height: 10))
        let recent = ApplicationLogo(bytes: [0xFF, 0xD8, 0xFF, 3], image: LogoImage(format: .jpeg, width: 10, height: 10))
        var withUnknownLogo = Self.complete
        withUnknownLogo.logoSHA256 = used.sha256
        #expect {
            _ = try create(withUnknownLogo)
        } throws: { ($0 as? StoreError)?.kind == .constraint }

        try logos.storeLogo(used, uploadedBy: owner, now: now - 90_000)
        try logos.storeLogo(orphan, uploadedBy: owner, now: now - 90_000)
        try logos.storeLogo(recent, uploadedBy: owner, now: now)
        _ = try create(withUnknownLogo)
        #expect(try logos.purgeUnreferencedLogos(uploadedBefore: now - 86_400) == 1)
        let left = try db.database.query("SELECT sha256 FROM application_logos ORDER BY sha256").compactMap { $0.string("sha256") }
        #expect(Set(left) == [used.sha256, recent.sha256])
        #expect(try logos.logo(sha256: used.sha256, reach: .anyApplication) != nil)
    }
}

/// A test failure with a message.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
