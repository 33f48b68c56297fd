/// A SQL statement whose interpolations become `?` parameters, so values can never change the statement.
///
/// ```swift
/// let query: SQLQuery = "SELECT id FROM users WHERE email = \(email)"
/// // sql: "SELECT id FROM users WHERE email = ?", binds: [.text(email)]
/// ```
/// Text that must become part of the statement itself (an identifier chosen by the operator, never user
/// input) goes through the visibly unsafe ``SQLQuery/StringInterpolation/appendInterpolation(unsafeRaw:)``.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `?` placeholders.
    public private(set) var sql: String
    /// The values for the placeholders, in order.
    public private(set) var binds: [SQLValue]

    /// Builds the statement from literal pieces and bound values.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [SQLValue] = []

        /// Reserves room for the statement.
        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount)
            binds.reserveCapacity(interpolationCount)
        }

        /// Appends statement text.
        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// Appends a `?` and binds the value.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            sql += "?"
            binds.append(value.sqlValue)
        }

        /// Appends a `?` and binds the value, or NULL for `nil`. (Spelled out so optionals bind without the
        /// compiler's warning about interpolating an optional.)
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            sql += "?"
            binds.append(value?.sqlValue ?? .null)
        }

        /// Appends a fragment built the same way (its text and its binds, in order), so a long list of
        /// assignments can be shared by statements without giving up binding.
        public mutating func appendInterpolation(fragment: SQLQuery) {
            sql += fragment.sql
            binds += fragment.binds
        }

        /// Appends `?, ?, …`, one bound placeholder per value, for an `IN (…)` list (the caller keeps it
        /// non-empty, since `IN ()` is not SQL).
        public mutating func appendInterpolation(list values: some Sequence<some SQLBindable>) {
            var first = true
            for value in values {
                sql += first ? "?" : ", ?"
                binds.append(value.sqlValue)
                first = false
            }
        }

        /// Appends text to the statement itself. Only for identifiers from configuration, never for input.
        public mutating func appendInterpolation(unsafeRaw text: String) { sql += text }
    }

    /// Creates a query from an interpolated literal.
    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        binds = stringInterpolation.binds
    }

    /// Creates a query without parameters.
    public init(stringLiteral value: String) {
        sql = value
        binds = []
    }

    /// The statement text only: bound values are never printed (they may be secrets).
    public var description: String { sql }
}
