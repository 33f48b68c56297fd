/// What a support ticket is about: a fixed list, so staff can sort the queue.
public enum SupportTicketCategory: String, Sendable, CaseIterable {
    /// Help with OAuth, scopes, webhooks or the API.
    case integration
    /// Questions about an app's review.
    case review
    /// The developer account: sign-in, 2FA, email.
    case account
    /// A security problem to report.
    case security
    /// Anything else.
    case other

    /// The label of the category's choice on the form.
    public var label: Message {
        switch self {
        case .integration: Message("portal.support.category.integration", "Integration help")
        case .review: Message("portal.support.category.review", "App review")
        case .account: Message("portal.support.category.account", "My account")
        case .security: Message("portal.support.category.security", "Security report")
        case .other: Message("portal.support.category.other", "Something else")
        }
    }
}

/// The "open a ticket" form (`subject`, `category`, `application`, `message`), every field as typed.
///
/// - `subject`: 1…``maximumSubjectLength`` characters on one line, trimmed.
/// - `category`: a ``SupportTicketCategory`` raw value.
/// - `application`: empty for none, otherwise an app id (whether it is the developer's own app is the
///   store's check, which answers as if it did not exist).
/// - `message`: 1…``maximumMessageLength`` characters after trimming; line breaks kept.
public struct SupportTicketForm: Sendable, Equatable {
    /// Longest subject, in characters.
    public static let maximumSubjectLength = 120
    /// Longest message or reply, in characters.
    public static let maximumMessageLength = 5000

    /// The `subject` field.
    public var subject: String
    /// The `category` choice.
    public var category: String
    /// The `application` choice; empty for none.
    public var application: String
    /// The `message` field.
    public var message: String

    /// A form from its fields.
    public init(subject: String, category: String, application: String, message: String) {
        self.subject = subject
        self.category = category
        self.application = application
        self.message = message
    }

    /// The ticket the form describes, or the problems by field.
    public func validate() -> Result<NewSupportTicket, SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        let subject = subject.trimmingWhitespace()
        if subject.isEmpty {
            errors["subject"] = Message("portal.error.subject", "Give the ticket a subject.")
        } else if subject.unicodeScalars.count > Self.maximumSubjectLength {
            errors["subject"] = .atMostCharacters(Self.maximumSubjectLength)
        } else if subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["subject"] = Message("portal.error.subject_line", "Use a subject on one line, without control characters.")
        }
        let category = SupportTicketCategory(rawValue: category)
        if category == nil { errors["category"] = Message("portal.error.category", "Choose what the ticket is about.") }
        let applicationText = application.trimmingWhitespace()
        let application = ApplicationID(applicationText)
        if !applicationText.isEmpty && application == nil {
            errors["application"] = Message("portal.msg.choose_app", "Choose one of your apps, or none.")
        }
        let message = Self.message(message)
        if case .failure(let problem) = message { errors["message"] = problem.problem }
        guard errors.isEmpty, let category, case .success(let body) = message else { return .failure(errors) }
        return .success(NewSupportTicket(application: application, subject: subject, category: category, message: body))
    }

    /// A message or reply, trimmed: 1…``maximumMessageLength`` characters, with line breaks and tabs but no
    /// other control characters.
    public static func message(_ text: String) -> Result<String, SchoolworkForms.Problem> {
        let body = text.trimmingWhitespace()
        if body.isEmpty { return .failure(.init(Message("portal.error.message", "Write a message."))) }
        if body.unicodeScalars.count > maximumMessageLength { return .failure(.init(.atMostCharacters(maximumMessageLength))) }
        if body.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\n\r\t".unicodeScalars.contains($0) }) {
            return .failure(.init(Message("portal.error.control", "Remove the control characters from the message.")))
        }
        return .success(body)
    }
}
