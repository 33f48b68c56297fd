import Domain
import Foundation
import Testing

/// The webhook endpoint and support ticket forms, the app client id and the logo digest: each rule as a table
/// row whose name reads as a sentence.
@Suite struct DeveloperPortalFormsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let field: String?
        let message: String?
        var testDescription: String { name }
    }

    /// A refused form has exactly the row's problem at the row's field; an accepted one is expected by a row
    /// without a field.
    static func check<Valid>(_ row: Case, _ result: Result<Valid, SchoolworkForms.FieldErrors>) {
        switch result {
        case .success(let valid):
            #expect(row.field == nil, "accepted: \(valid)")
        case .failure(let errors):
            #expect(row.field.flatMap { errors[$0]?.english } == row.message, "\(errors.messages)")
            #expect(errors.messages.count == 1)
        }
    }

    // MARK: Webhook endpoints

    static let webhookCases: [(Case, WebhookEndpointForm)] = [
        (
            Case(name: "an https URL with events is accepted", field: nil, message: nil),
            WebhookEndpointForm(url: " https://hooks.example/cw ", events: ["grade.published", "app.approved"])
        ),
        (
            Case(name: "an empty URL is refused", field: "url", message: "Enter the https address that should receive the events."),
            WebhookEndpointForm(url: "  ", events: ["app.approved"])
        ),
        (
            Case(name: "a plain http URL is refused", field: "url", message: "Enter a full address starting with https://."),
            WebhookEndpointForm(url: "http://hooks.example", events: ["app.approved"])
        ),
        (
            Case(name: "a URL with credentials is refused", field: "url", message: "Remove the user name or password from the address."),
            WebhookEndpointForm(url: "https://me:pw@hooks.example", events: ["app.approved"])
        ),
        (
            Case(name: "no event is refused", field: "events", message: "Choose at least one event."),
            WebhookEndpointForm(url: "https://hooks.example", events: [])
        ),
        (
            Case(name: "an unknown event is refused", field: "events", message: "Unknown event: user.deleted."),
            WebhookEndpointForm(url: "https://hooks.example", events: ["app.approved", "user.deleted"])
        ),
        (
            Case(name: "the test ping is not subscribable", field: "events", message: "Unknown event: webhook.test."),
            WebhookEndpointForm(url: "https://hooks.example", events: [WebhookEvent.testPingType])
        ),
        (
            Case(name: "an event chosen twice is refused", field: "events", message: "Choose each event once."),
            WebhookEndpointForm(url: "https://hooks.example", events: ["app.approved", "app.approved"])
        ),
    ]

    @Test(arguments: webhookCases)
    func webhookEndpointForm(_ row: Case, _ form: WebhookEndpointForm) {
        Self.check(row, form.validate())
    }

    @Test func aValidEndpointIsTrimmedWithEventsInTheFixedOrder() throws {
        let valid = try WebhookEndpointForm(url: " https://hooks.example/cw ", events: ["grade.published", "app.approved"])
            .validate().get()
        #expect(valid.url == "https://hooks.example/cw")
        #expect(valid.events == [.appApproved, .gradePublished])
    }

    @Test func theSubscribableEventsAreTheEightTheDocsList() {
        #expect(
            WebhookEvent.allCases.map(\.rawValue) == [
                "app.approved", "app.rejected", "app.suspended", "authorization.granted", "authorization.revoked", "grade.published",
                "attendance.recorded", "person.erased",
            ])
    }

    // MARK: Support tickets

    static let longSubject = String(repeating: "s", count: 121)
    static let longMessage = String(repeating: "m", count: 5001)

    static let ticketCases: [(Case, SupportTicketForm)] = [
        (
            Case(name: "a subject, category and message open a ticket", field: nil, message: nil),
            SupportTicketForm(subject: "Token errors", category: "integration", application: "", message: "We get invalid_grant.")
        ),
        (
            Case(name: "an app id may be given", field: nil, message: nil),
            SupportTicketForm(subject: "Review", category: "review", application: "12", message: "When?")
        ),
        (
            Case(name: "a subject of 120 characters is accepted", field: nil, message: nil),
            SupportTicketForm(subject: String(repeating: "s", count: 120), category: "other", application: "", message: "x")
        ),
        (
            Case(name: "a message of 5000 characters is accepted", field: nil, message: nil),
            SupportTicketForm(subject: "Long", category: "other", application: "", message: String(repeating: "m", count: 5000))
        ),
        (
            Case(name: "an empty subject is refused", field: "subject", message: "Give the ticket a subject."),
            SupportTicketForm(subject: "   ", category: "other", application: "", message: "x")
        ),
        (
            Case(name: "a subject of 121 characters is refused", field: "subject", message: "Use at most 120 characters."),
            SupportTicketForm(subject: longSubject, category: "other", application: "", message: "x")
        ),
        (
            Case(name: "a subject on two lines is refused", field: "subject", message: "Use a subject on one line, without control characters."),
            SupportTicketForm(subject: "Two\nlines", category: "other", application: "", message: "x")
        ),
        (
            Case(name: "an unknown category is refused", field: "category", message: "Choose what the ticket is about."),
            SupportTicketForm(subject: "Hi", category: "billing", application: "", message: "x")
        ),
        (
            Case(name: "an app that is not an id is refused", field: "application", message: "Choose one of your apps, or none."),
            SupportTicketForm(subject: "Hi", category: "other", application: "cw_app_x", message: "x")
        ),
        (
            Case(name: "an empty message is refused", field: "message", message: "Write a message."),
            SupportTicketForm(subject: "Hi", category: "other", application: "", message: " \n ")
        ),
        (
            Case(name: "a message of 5001 characters is refused", field: "message", message: "Use at most 5000 characters."),
            SupportTicketForm(subject: "Hi", category: "other", application: "", message: longMessage)
        ),
        (
            Case(
                name: "a message with control characters is refused", field: "message",
                message: "Remove the control characters from the message."),
            SupportTicketForm(subject: "Hi", category: "other", application: "", message: "bell\u{07}")
        ),
    ]

    @Test(arguments: ticketCases)
    func supportTicketForm(_ row: Case, _ form: SupportTicketForm) {
        Self.check(row, form.validate())
    }

    @Test func aValidTicketIsTrimmedAndKeepsItsLineBreaks() throws {
        let ticket = try SupportTicketForm(subject: " Token errors ", category: "integration", application: " 12 ", message: "\nLine 1\nLine 2\n ")
            .validate().get()
        #expect(
            ticket == NewSupportTicket(application: ApplicationID(12), subject: "Token errors", category: .integration, message: "Line 1\nLine 2"))
    }

    @Test func everyProblemOfATicketIsReportedAtOnce() {
        guard case .failure(let errors) = SupportTicketForm(subject: "", category: "", application: "x", message: "").validate() else {
            Issue.record("accepted")
            return
        }
        #expect(Set(errors.messages.keys) == ["subject", "category", "application", "message"])
    }

    // MARK: Client ids and logos

    @Test func aClientIDIsCwAppAnd26LowerCaseBase32Characters() {
        var generator = OAuthFixtures.CountingGenerator()
        let first = ApplicationClientID.make(using: &generator)
        let second = ApplicationClientID.make(using: &generator)
        #expect(first != second)
        for id in [first, second] {
            #expect(id.rawValue.hasPrefix("cw_app_"))
            let body = id.rawValue.dropFirst(7)
            #expect(body.count == 26)
            #expect(body.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        }
    }

    @Test func aLogoIsNamedByTheSHA256OfItsBytes() {
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        let logo = ApplicationLogo(bytes: Array("abc".utf8), image: LogoImage(format: .png, width: 1, height: 1))
        #expect(logo.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(!logo.description.contains("97, 98"), "the bytes stay out of logs")
    }
}
