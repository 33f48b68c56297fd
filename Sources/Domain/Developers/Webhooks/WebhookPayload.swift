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

    /// `{"data":{…},"timestamp":"<ISO 8601 with fractional seconds>","type":"<type>"}`, keys sorted.
    public static func json(type: String, at date: Date, data: [String: Value]) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let ids = data.mapValues { value -> Any in
            switch value {
            case .text(let text): text
            case .number(let number): number
            }
        }
        let object: [String: Any] = ["type": type, "timestamp": formatter.string(from: date), "data": ids]
        // Strings and integers always serialise; the fallback is unreachable but keeps this total.
        guard let bytes = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: bytes, as: UTF8.self)
    }
}
