import Foundation

/// The plural rule of a catalogue: gettext's `Plural-Forms: nplurals=N; plural=EXPR;` header, with its C-like
/// expression parsed once into a tree and evaluated by a small interpreter (never by a general evaluator).
///
/// The expression language is what gettext's own `plural-exp` accepts for real catalogues: the variable `n`,
/// non-negative integer literals, `!`, `* / %`, `+ -`, `< > <= >=`, `== !=`, `&&`, `||`, the conditional `?:`
/// and parentheses. Division or remainder by zero evaluates to 0 rather than trapping.
public struct PluralRule: Sendable, Equatable {
    /// How many plural forms a message of the catalogue has (`msgstr[0]` … `msgstr[count - 1]`).
    public let count: Int
    let expression: Expression

    /// The rule of English and of a catalogue without a `Plural-Forms` header: `nplurals=2; plural=(n != 1);`.
    public static let germanic = PluralRule(count: 2, expression: .binary(.notEqual, .n, .number(1)))

    /// Why a `Plural-Forms` value was refused.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Parses a `Plural-Forms` header value such as `nplurals=2; plural=(n > 1);`. The expression must give an
    /// index below `nplurals` for every `n` from 0 to 1000 (checked here, so a lookup never picks a missing form).
    public init(header: String) throws(Failure) {
        var nplurals: Int?
        var plural: String?
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else {
                if part.allSatisfy(\.isWhitespace) { continue }
                throw Failure(description: "Plural-Forms: expected name=value, found \"\(part)\"")
            }
            let name = pair[0].trimmingCharacters(in: .whitespaces)
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch name {
            case "nplurals":
                guard let number = Int(value), (1...6).contains(number) else {
                    throw Failure(description: "Plural-Forms: nplurals must be 1 to 6, not \"\(value)\"")
                }
                nplurals = number
            case "plural": plural = value
            default: throw Failure(description: "Plural-Forms: unknown field \"\(name)\"")
            }
        }
        guard let nplurals, let plural else { throw Failure(description: "Plural-Forms: needs both nplurals and plural") }
        try self.init(count: nplurals, expression: plural)
    }

    /// A rule from its parts: `count` forms, `expression` the C-like formula of `n`.
    public init(count: Int, expression source: String) throws(Failure) {
        var parser = Parser(tokens: try Self.tokens(source))
        let tree = try parser.conditional()
        guard parser.position == parser.tokens.count else {
            throw Failure(description: "Plural-Forms: unexpected \"\(parser.tokens[parser.position])\" in \"\(source)\"")
        }
        self.init(count: count, expression: tree)
        for n in 0...1000 {
            let index = tree.evaluate(Int64(n))
            guard index >= 0, index < count else {
                throw Failure(description: "Plural-Forms: plural=\(source) gives \(index) for n=\(n), outside 0..<\(count)")
            }
        }
    }

    init(count: Int, expression: Expression) {
        self.count = count
        self.expression = expression
    }

    /// The index of the plural form for `n` (always within `0..<count`).
    public func index(for n: Int) -> Int {
        // gettext evaluates on unsigned long; a negative count is shown with the form of its magnitude.
        let value = Int(expression.evaluate(Int64(n.magnitude > UInt(Int64.max) ? Int64.max : Int64(n.magnitude))))
        return value >= 0 && value < count ? value : 0
    }

    indirect enum Expression: Sendable, Equatable {
        case n
        case number(Int64)
        case not(Expression)
        case binary(Operator, Expression, Expression)
        case conditional(Expression, Expression, Expression)

        func evaluate(_ n: Int64) -> Int64 {
            switch self {
            case .n: return n
            case .number(let value): return value
            case .not(let operand): return operand.evaluate(n) == 0 ? 1 : 0
            case .conditional(let test, let yes, let no): return test.evaluate(n) != 0 ? yes.evaluate(n) : no.evaluate(n)
            case .binary(let op, let lhs, let rhs):
                let a = lhs.evaluate(n)
                // `&&` and `||` short-circuit as in C.
                switch op {
                case .and: return a != 0 && rhs.evaluate(n) != 0 ? 1 : 0
                case .or: return a != 0 || rhs.evaluate(n) != 0 ? 1 : 0
                default: break
                }
                let b = rhs.evaluate(n)
                switch op {
                case .times: return a.multipliedReportingOverflow(by: b).partialValue
                case .divide: return b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue
                case .remainder: return b == 0 ? 0 : a.remainderReportingOverflow(dividingBy: b).partialValue
                case .plus: return a.addingReportingOverflow(b).partialValue
                case .minus: return a.subtractingReportingOverflow(b).partialValue
                case .less: return a < b ? 1 : 0
                case .greater: return a > b ? 1 : 0
                case .lessOrEqual: return a <= b ? 1 : 0
                case .greaterOrEqual: return a >= b ? 1 : 0
                case .equal: return a == b ? 1 : 0
                case .notEqual: return a != b ? 1 : 0
                case .and, .or: return 0
                }
            }
        }
    }

    enum Operator: String, Sendable, CaseIterable {
        case times = "*", divide = "/", remainder = "%", plus = "+", minus = "-"
        case less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
        case equal = "==", notEqual = "!=", and = "&&", or = "||"
    }

    private static func tokens(_ source: String) throws(Failure) -> [String] {
        var tokens: [String] = []
        let characters = Array(source)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character.isASCII, character.isNumber {
                var end = index
                while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 }
                guard end - index <= 9 else { throw Failure(description: "Plural-Forms: number too long in \"\(source)\"") }
                tokens.append(String(characters[index..<end]))
                index = end
            } else if index + 1 < characters.count, ["<=", ">=", "==", "!=", "&&", "||"].contains(String(characters[index...index + 1])) {
                tokens.append(String(characters[index...index + 1]))
                index += 2
            } else if "n()?:!*/%+-<>".contains(character) {
                tokens.append(String(character))
                index += 1
            } else {
                throw Failure(description: "Plural-Forms: unexpected character \"\(character)\" in \"\(source)\"")
            }
        }
        guard tokens.count <= 512 else { throw Failure(description: "Plural-Forms: expression too long") }
        return tokens
    }

    /// Recursive descent in C's precedence order, lowest first.
    private struct Parser {
        let tokens: [String]
        var position = 0
        var depth = 0

        private var next: String? { position < tokens.count ? tokens[position] : nil }

        private mutating func take(_ token: String) -> Bool {
            guard next == token else { return false }
            position += 1
            return true
        }

        /// `a ? b : c`, right-associative.
        mutating func conditional() throws(Failure) -> Expression {
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { throw Failure(description: "Plural-Forms: expression nested too deeply") }
            let test = try binary(level: 0)
            guard take("?") else { return test }
            let yes = try conditional()
            guard take(":") else { throw Failure(description: "Plural-Forms: \"?\" without \":\"") }
            return .conditional(test, yes, try conditional())
        }

        private static let levels: [[Operator]] = [
            [.or], [.and], [.equal, .notEqual], [.less, .greater, .lessOrEqual, .greaterOrEqual], [.plus, .minus],
            [.times, .divide, .remainder],
        ]

        /// Left-associative binary operators of `levels[level]` and tighter.
        private mutating func binary(level: Int) throws(Failure) -> Expression {
            guard level < Self.levels.count else { return try unary() }
            var lhs = try binary(level: level + 1)
            while let token = next, let op = Operator(rawValue: token), Self.levels[level].contains(op) {
                position += 1
                lhs = .binary(op, lhs, try binary(level: level + 1))
            }
            return lhs
        }

        private mutating func unary() throws(Failure) -> Expression {
            if take("!") {
                depth += 1
                defer { depth -= 1 }
                guard depth < 64 else { throw Failure(description: "Plural-Forms: expression nested too deeply") }
                return .not(try unary())
            }
            if take("(") {
                let inner = try conditional()
                guard take(")") else { throw Failure(description: "Plural-Forms: missing \")\"") }
                return inner
            }
            if take("n") { return .n }
            if let token = next, let value = Int64(token) {
                position += 1
                return .number(value)
            }
            throw Failure(description: "Plural-Forms: expected n, a number or \"(\", found \(next.map { "\"\($0)\"" } ?? "the end")")
        }
    }
}
