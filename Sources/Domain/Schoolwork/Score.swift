import Foundation

/// A score or maximum with up to two decimals, held as hundredths so sums and comparisons are exact
/// (the database column is `DECIMAL(7,2)`).
public struct Score: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value times 100.
    public let hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }

    /// Largest value the column holds.
    public static let maximum = Score(hundredths: 9_999_999)

    /// Parses `87`, `87.5` or `87.25` (a dot; at most two decimals; at most 5 integer digits). `nil` otherwise.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 5,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
            let whole = Int(parts[0])
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let f = Int(parts[1]) else { return nil }
            fraction = parts[1].count == 1 ? f * 10 : f
        }
        hundredths = whole * 100 + fraction
    }

    /// `87.5` → "87.5", `87` → "87", `87.25` → "87.25".
    public var description: String {
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return "\(whole)" }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// "87.50": the form the `DECIMAL` column is written in.
    public var decimalText: String {
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The score as a percentage of `maximum`, rounded to one decimal, for display.
    public func percent(of maximum: Score) -> Double {
        guard maximum.hundredths > 0 else { return 0 }
        return (Double(hundredths) * 1000 / Double(maximum.hundredths)).rounded() / 10
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.hundredths < rhs.hundredths }
}
