/// Builds a statement whose length depends on data (a column list, a number of rows), keeping every value a `?`
/// bind.
struct SQLBuilder {
    private var interpolation = SQLQuery.StringInterpolation(literalCapacity: 128, interpolationCount: 8)

    /// Starts with statement text made only of constants of the calling file.
    init(_ literal: String) { interpolation.appendLiteral(literal) }

    /// Appends constant text.
    mutating func append(_ literal: String) { interpolation.appendLiteral(literal) }

    /// Appends constant text, then a bound value.
    mutating func append(_ literal: String, _ value: some SQLBindable) {
        interpolation.appendLiteral(literal)
        interpolation.appendInterpolation(value)
    }

    var query: SQLQuery { SQLQuery(stringInterpolation: interpolation) }
}

/// Multi-row statements (`INSERT … VALUES (…), (…)`, `… IN (…)`) cut into batches: a bulk write is a few statements
/// instead of one round trip per row. Full batches have ``batchRows`` rows and the rest is cut into powers of two,
/// so a connection prepares at most a dozen shapes of each statement (its prepared-statement cache is keyed by the
/// text, and the server limits prepared statements).
enum MultiRowStatement {
    /// Rows per statement.
    static let batchRows = 1000

    /// The sizes `count` is cut into: full batches, then powers of two.
    static func batchSizes(_ count: Int) -> [Int] {
        var sizes: [Int] = []
        var left = count
        while left > 0 {
            let size = left >= batchRows ? batchRows : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
            sizes.append(size)
            left -= size
        }
        return sizes
    }

    /// `head` followed by `(?, …), (?, …)` for each batch of `rows`, then `tail`; `head` and `tail` are constant text.
    static func queries(_ head: String, _ rows: [[SQLValue]], tail: String = "") -> [SQLQuery] {
        var queries: [SQLQuery] = []
        var start = 0
        for size in batchSizes(rows.count) {
            var sql = SQLBuilder(head)
            for index in start..<(start + size) {
                for (column, value) in rows[index].enumerated() {
                    sql.append(column == 0 ? (index == start ? "(" : ", (") : ", ", value)
                }
                sql.append(")")
            }
            sql.append(tail)
            queries.append(sql.query)
            start += size
        }
        return queries
    }

    /// Calls `body` with `values` cut into batches, for `IN (…)` lists.
    static func forEachBatch<Value>(of values: [Value], _ body: (ArraySlice<Value>) throws -> Void) throws {
        var start = 0
        for size in batchSizes(values.count) {
            try body(values[start..<(start + size)])
            start += size
        }
    }
}
