import Domain

/// A fragment of HTML whose interpolations are escaped by default: the template type of every page.
///
/// ```swift
/// let page: HTML = "<p>Hello, \(user.givenName)</p>"   // a name like <script> arrives as &lt;script&gt;
/// ```
/// Interpolating another `HTML` value nests it as markup (it was built the same way). Markup from anywhere
/// else can only enter through the visibly unsafe ``init(unsafeRaw:)``, used for constants.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    private(set) var rendered: String

    /// Markup taken as is. Only for constant strings written in this codebase, never for input.
    init(unsafeRaw markup: String) { rendered = markup }

    init(stringLiteral value: String) { rendered = value }

    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.rendered }

    var description: String { rendered }

    /// Builds a fragment; interpolated text, numbers and optionals are escaped, `HTML` values are nested.
    struct StringInterpolation: StringInterpolationProtocol {
        var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: String) { rendered += literal }

        /// Text, escaped.
        mutating func appendInterpolation(_ text: String) { HTML.escape(text, into: &rendered) }

        /// Optional text: nothing for `nil`.
        mutating func appendInterpolation(_ text: String?) {
            if let text { HTML.escape(text, into: &rendered) }
        }

        /// Anything printable (numbers, ids, dates), escaped.
        mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            HTML.escape(value.description, into: &rendered)
        }

        /// A rule's message in the page's language, escaped (never its English `description`).
        mutating func appendInterpolation(_ message: Message) { HTML.escape(L(message), into: &rendered) }

        /// An optional rule's message: nothing for `nil`.
        mutating func appendInterpolation(_ message: Message?) {
            if let message { HTML.escape(L(message), into: &rendered) }
        }

        /// A nested fragment.
        mutating func appendInterpolation(_ html: HTML) { rendered += html.rendered }

        /// Nested fragments, one after another.
        mutating func appendInterpolation(_ fragments: [HTML]) {
            for fragment in fragments { rendered += fragment.rendered }
        }
    }

    /// Concatenates fragments.
    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(unsafeRaw: lhs.rendered + rhs.rendered) }

    /// Fragments joined into one.
    init(_ fragments: [HTML]) { rendered = fragments.map(\.rendered).joined() }

    /// Escapes `&`, `<`, `>`, `"` and `'` so text cannot open markup or leave an attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        escape(text, into: &out)
        return out
    }

    private static func escape(_ text: String, into out: inout String) {
        // Most text has nothing to escape: one pass over the bytes, then a plain append.
        let special = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "'")
        }
        guard special else {
            out += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
