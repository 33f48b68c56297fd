import Foundation

/// A position in a list of the education API: the sort key of the last item returned, so the next page starts
/// after it (keyset pagination: stable while rows are added, and each page is one index range scan).
///
/// On the wire it is opaque: base64url of `<list>:<key>[:<key>]`. A cursor names its list, so one taken from
/// the grades list is refused by the attendance list instead of silently meaning something else there.
public struct APICursor: Sendable, Equatable {
    /// The list it belongs to.
    public let list: String
    /// The sort key of the last item of the previous page.
    public let keys: [Int64]

    /// A cursor after an item with these keys.
    public init(list: String, keys: [Int64]) {
        self.list = list
        self.keys = keys
    }

    /// Longest cursor accepted, in bytes.
    public static let maximumLength = 200

    /// Parses a cursor of `list` with exactly `keyCount` keys; `nil` when it is malformed or of another list.
    public init?(token: String, list: String, keyCount: Int) {
        guard token.utf8.count <= Self.maximumLength,
            token.utf8.allSatisfy({ $0.isBase64URL }),
            let data = Data(base64Encoded: Self.padded(token)),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == keyCount + 1, parts[0] == list else { return nil }
        var keys: [Int64] = []
        for part in parts.dropFirst() {
            guard (1...19).contains(part.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let key = Int64(part) else {
                return nil
            }
            keys.append(key)
        }
        self.list = list
        self.keys = keys
    }

    /// The opaque form.
    public var token: String {
        let text = ([list] + keys.map(String.init)).joined(separator: ":")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func padded(_ token: String) -> String {
        let base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return base64 + String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
    }
}

/// The `limit` and `cursor` query parameters of a list, validated.
public struct APIPage: Sendable, Equatable {
    /// Items per page.
    public let limit: Int
    /// Where the page starts; `nil` for the first page.
    public let after: APICursor?

    /// Parses `limit` (1 to ``EducationAPI/maximumPageSize``, default ``EducationAPI/defaultPageSize``) and
    /// `cursor` for `list`. Errors are keyed by parameter name.
    public static func parse(limit: String?, cursor: String?, list: String, keyCount: Int) -> Result<APIPage, SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        var size = EducationAPI.defaultPageSize
        if let limit {
            if let value = Int(limit), (1...EducationAPI.maximumPageSize).contains(value), limit.utf8.count <= 3 {
                size = value
            } else {
                // A JSON API's problems are for its developer: English, as every API error.
                errors["limit"] = Message(verbatim: "Use a whole number from 1 to \(EducationAPI.maximumPageSize).")
            }
        }
        var after: APICursor?
        if let cursor {
            after = APICursor(token: cursor, list: list, keyCount: keyCount)
            if after == nil { errors["cursor"] = Message(verbatim: "This cursor is not valid for this list; use next_cursor of the previous page.") }
        }
        return errors.isEmpty ? .success(APIPage(limit: size, after: after)) : .failure(errors)
    }

    /// A page.
    public init(limit: Int, after: APICursor?) {
        self.limit = limit
        self.after = after
    }

    /// The items of this page and the cursor of the next one, from up to `limit + 1` rows a store returned
    /// (the extra row only says that there is more).
    public func slice<Item>(_ rows: [Item], list: String, keys: (Item) -> [Int64]) -> (items: [Item], next: APICursor?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map { APICursor(list: list, keys: keys($0)) })
    }
}

extension UInt8 {
    fileprivate var isBase64URL: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || (self >= 0x30 && self <= 0x39) || self == 0x2D || self == 0x5F
    }
}
