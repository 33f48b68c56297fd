import Foundation

/// A message kept for later (a queued roster import's summary and problems, `roster_import_jobs.outcome_messages`):
/// its key, count, arguments, numbers, nested messages and dates, so a page written long after renders it in its own
/// language, and its English, so a reader that lacks the key (a catalogue of an older version) still has words.
///
/// The stored form is JSON: `{"key": …, "english": …}`, with `count`, `arguments`, `numbers`, `nested` and `dates` (seconds since
/// 1970, UTC) only when the message has them. A verbatim message is stored with an empty key and decoded as one. Decoding refuses an
/// object without `key` or `english`, so damaged text is never shown as a keyed message.
extension Message: Codable {
    private enum CodingKeys: String, CodingKey {
        case key, english, count, arguments, numbers, nested, dates
    }

    /// Reads a stored message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        english = try container.decode(String.self, forKey: .english)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        arguments = try container.decodeIfPresent([String: String].self, forKey: .arguments) ?? [:]
        numbers = try container.decodeIfPresent([String: Int].self, forKey: .numbers) ?? [:]
        nested = try container.decodeIfPresent([String: Message].self, forKey: .nested) ?? [:]
        dates = (try container.decodeIfPresent([String: Double].self, forKey: .dates) ?? [:]).mapValues(Date.init(timeIntervalSince1970:))
    }

    /// Writes the message for storage.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(english, forKey: .english)
        try container.encodeIfPresent(count, forKey: .count)
        if !arguments.isEmpty { try container.encode(arguments, forKey: .arguments) }
        if !numbers.isEmpty { try container.encode(numbers, forKey: .numbers) }
        if !nested.isEmpty { try container.encode(nested, forKey: .nested) }
        if !dates.isEmpty { try container.encode(dates.mapValues(\.timeIntervalSince1970), forKey: .dates) }
    }
}

extension Message {
    /// `messages` as one JSON array, for a text column; `nil` if they cannot be encoded (strings, numbers and
    /// dictionaries of them always can), and the reader then keeps the English.
    public static func stored(_ messages: [Message]) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(messages)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The messages of a JSON array written by ``stored(_:)``; `nil` when the text is not one.
    public static func restored(_ text: String) -> [Message]? {
        try? JSONDecoder().decode([Message].self, from: Data(text.utf8))
    }
}
