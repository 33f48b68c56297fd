/// The events an app's webhook endpoint may subscribe to (DESIGN.md §8: thin payloads of event type, ids and
/// time). Fixed by the platform; the docs list them from here.
public enum WebhookEvent: String, Sendable, CaseIterable {
    case appApproved = "app.approved"
    case appRejected = "app.rejected"
    case appSuspended = "app.suspended"
    case authorizationGranted = "authorization.granted"
    case authorizationRevoked = "authorization.revoked"
    case gradePublished = "grade.published"
    case attendanceRecorded = "attendance.recorded"
    /// A person who had authorized the app was erased by their school (GDPR Art. 17): the payload carries only the
    /// `sub` the app knows, so it can delete what it holds.
    case personErased = "person.erased"

    /// The event type of a "test ping" delivery, which nobody subscribes to: it is sent on request only.
    public static let testPingType = "webhook.test"
}

/// The webhook endpoint form (`url`, and the checked `events` boxes), every field as typed.
///
/// `url` must be acceptable to ``HTTPSURLRule`` (https, exact, no credentials or fragment); `events` at
/// least one of ``WebhookEvent``, each once. Whether private or loopback targets are refused is the
/// delivery's rule (DESIGN.md §8), which knows the configuration.
public struct WebhookEndpointForm: Sendable, Equatable {
    /// The `url` field.
    public var url: String
    /// The checked `events` boxes, in form order.
    public var events: [String]

    /// A form from its fields.
    public init(url: String, events: [String]) {
        self.url = url
        self.events = events
    }

    /// The trimmed URL and the chosen events in ``WebhookEvent/allCases`` order, or the problems by field.
    public func validate() -> Result<(url: String, events: [WebhookEvent]), SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        let url = url.trimmingWhitespace()
        if url.isEmpty {
            errors["url"] = Message("webhook.error.url", "Enter the https address that should receive the events.")
        } else if let problem = HTTPSURLRule.problem(with: url) {
            errors["url"] = problem
        }
        let chosen = events.map { WebhookEvent(rawValue: $0) }
        if events.isEmpty {
            errors["events"] = Message("webhook.error.events", "Choose at least one event.")
        } else if let unknown = zip(events, chosen).first(where: { $0.1 == nil })?.0 {
            errors["events"] = Message("webhook.error.unknown_event", "Unknown event: \(unknown).", ["event": unknown])
        } else if Set(events).count != events.count {
            errors["events"] = Message("webhook.error.event_twice", "Choose each event once.")
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success((url, WebhookEvent.allCases.filter(chosen.contains)))
    }
}
