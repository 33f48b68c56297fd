import Foundation

/// The body of every webhook delivery (DESIGN §8): thin — the event type, the time, and ids; never personal
/// data. One builder for the review panel's app events, sync's events from the main database and test pings,
/// so receivers see one shape.
public enum WebhookPayload {
    /// An id in `data`: a client id or day as text, a record id as a number.
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Int64)
    }

    /// `{"data":{…},"timestamp":"<ISO 8601 with fractional seconds>","type":"<type>"}`, keys sorted (``JSONValue``).
    public static func json(type: String, at date: Date, data: [String: Value]) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let ids = data.sorted { $0.key < $1.key }.map { key, value -> (String, JSONValue) in
            switch value {
            case .text(let text): (key, .string(text))
            case .number(let number): (key, .int(Int(number)))
            }
        }
        return JSONValue.object([("data", .object(ids)), ("timestamp", .string(formatter.string(from: date))), ("type", .string(type))]).text
    }
}
