/// Every problem found in a roster set (or while applying it), so one round trip fixes them all.
///
/// Large broken exports produce thousands of identical complaints; only the first ``limit`` are kept and
/// ``omitted`` counts the rest.
public struct RosterReport: Error, Sendable, CustomStringConvertible {
    /// The most problems kept.
    public static let limit = 200

    /// The problems, in the order they were found, at most ``limit``.
    public let problems: [RosterProblem]
    /// How many further problems were found but not kept.
    public let omitted: Int

    /// Creates a report, keeping the first ``limit`` problems.
    public init(problems: [RosterProblem]) {
        self.problems = Array(problems.prefix(Self.limit))
        self.omitted = max(0, problems.count - Self.limit)
    }

    /// One line per problem, then "and N more problems" when some were omitted.
    public var lines: [String] { messages.map(\.english) }

    /// ``lines`` as message codes, for a page in its reader's language (`L(message)`).
    public var messages: [Message] {
        problems.map(\.located)
            + (omitted > 0
                ? [Message("roster.problem.more", count: omitted, "and \(omitted) more problem\(omitted == 1 ? "" : "s")")] : [])
    }

    /// The lines joined by newlines.
    public var description: String { lines.joined(separator: "\n") }
}
