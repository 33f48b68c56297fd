/// Request parameters (a query string or a form body, already percent-decoded) as the OAuth rules see them.
///
/// RFC 6749 §3.1 and §3.2: a parameter sent without a value is treated as omitted, and no parameter may
/// appear more than once; so this keeps the first value of each name and remembers which names repeated.
/// Unknown parameters are kept but no rule looks at them (RFC 6749 §3.1: they are ignored).
public struct OAuthParameters: Sendable, Equatable {
    /// The first value of each name, empty values included.
    public let values: [String: String]
    /// Names that appeared more than once.
    public let repeatedNames: Set<String>

    /// Parameters from decoded `(name, value)` pairs in request order.
    public init(pairs: [(String, String)]) {
        var values: [String: String] = [:]
        var repeated: Set<String> = []
        for (name, value) in pairs {
            if values[name] == nil { values[name] = value } else { repeated.insert(name) }
        }
        self.values = values
        self.repeatedNames = repeated
    }

    /// Parameters from first values and the names that repeated, for callers that already grouped them.
    public init(values: [String: String], repeatedNames: Set<String> = []) {
        self.values = values
        self.repeatedNames = repeatedNames
    }

    /// The value of a parameter; `nil` when absent or empty (RFC 6749 §3.1).
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}
