import Foundation

/// A place in an application's activity log (issue 20 item 6), for keyset paging: the log is read newest first
/// by `(occurred_at, source, id)`, and a page starts just past a row's cursor, so no page ever counts or skips the
/// rows before it (no `OFFSET`), and a row added meanwhile never shifts a page.
///
/// The log merges two tables: what members did (`application_events`) and the platform review's decisions
/// (`application_transitions` written by a platform admin). At the same instant a review row sorts above a
/// member's; within a table, the higher id is newer.
public struct ActivityCursor: Sendable, Equatable, Comparable {
    /// Which table a row comes from.
    public enum Source: Int, Sendable, Equatable, Comparable {
        /// A member's action (`application_events`).
        case member = 0
        /// A platform admin's review decision (`application_transitions`).
        case review = 1

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The row's time, in whole microseconds since 1970 (the precision of `DATETIME(6)`).
    public let microseconds: Int64
    /// The row's table.
    public let source: Source
    /// The row's id in its table.
    public let id: Int64

    /// The cursor of a row.
    public init(at: Date, source: Source, id: Int64) {
        self.init(microseconds: Int64((at.timeIntervalSince1970 * 1_000_000).rounded()), source: source, id: id)
    }

    private init(microseconds: Int64, source: Source, id: Int64) {
        self.microseconds = microseconds
        self.source = source
        self.id = id
    }

    /// The row's time.
    public var at: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// The cursor as a link's query value: `<microseconds>.<source>.<id>`, digits only.
    public var token: String { "\(microseconds).\(source.rawValue).\(id)" }

    /// A cursor from a link's query value; `nil` for anything but three non-negative integers in range.
    public init?(token: String) {
        guard token.utf8.count <= 48 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitCharacter) }),
            let microseconds = Int64(parts[0]), let rawSource = Int(parts[1]), let source = Source(rawValue: rawSource),
            let id = Int64(parts[2]), id > 0
        else { return nil }
        self.init(microseconds: microseconds, source: source, id: id)
    }

    /// Newest first means: a greater cursor is a newer row.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.microseconds, lhs.source, lhs.id) < (rhs.microseconds, rhs.source, rhs.id)
    }

    /// The id bound that selects, among rows of `table` at exactly this cursor's time, those past the cursor in
    /// `direction`. A store's condition is `occurred_at <= at AND (occurred_at < at OR id < bound)` for older rows
    /// and `occurred_at >= at AND (occurred_at > at OR id > bound)` for newer ones: one range on the table's
    /// `(application_id, occurred_at, id)` index. `0` lets none through for older (ids start at 1) and all for newer;
    /// `Int64.max` the other way round.
    public func idBound(for table: Source, _ direction: ActivityPageRequest.Direction) -> Int64 {
        if table == source { return id }
        switch direction {
        case .older: return table < source ? Int64.max : 0
        case .newer: return table > source ? 0 : Int64.max
        }
    }
}

/// Which page of an activity log to show.
public enum ActivityPageRequest: Sendable, Equatable {
    /// Which way from a cursor.
    public enum Direction: Sendable, Equatable {
        case older
        case newer
    }

    /// The newest rows.
    case newest
    /// The rows just older than the cursor (the "Older" link).
    case older(than: ActivityCursor)
    /// The rows just newer than the cursor (the "Newer" link).
    case newer(than: ActivityCursor)

    /// The request a page's query names: `before=<cursor>` for older rows, `after=<cursor>` for newer, neither for
    /// the newest; `nil` when a value is not a cursor or both are given.
    public init?(before: String?, after: String?) {
        switch (before, after) {
        case (nil, nil): self = .newest
        case (let before?, nil):
            guard let cursor = ActivityCursor(token: before) else { return nil }
            self = .older(than: cursor)
        case (nil, let after?):
            guard let cursor = ActivityCursor(token: after) else { return nil }
            self = .newer(than: cursor)
        case (_?, _?): return nil
        }
    }
}

/// One page of an activity log, newest first, with the cursors of the links to the pages around it.
public struct ActivityPage<Action: Sendable & Equatable>: Sendable, Equatable {
    /// The rows, newest first.
    public let entries: [ActivityEntry<Action>]
    /// Where the "Older" link starts (the last row's cursor), `nil` when nothing is older.
    public let older: ActivityCursor?
    /// Where the "Newer" link starts (the first row's cursor), `nil` on the newest page.
    public let newer: ActivityCursor?

    /// Creates the value.
    public init(entries: [ActivityEntry<Action>], older: ActivityCursor?, newer: ActivityCursor?) {
        self.entries = entries
        self.older = older
        self.newer = newer
    }

    /// The page from the rows a store read for `request`: at most `limit + 1` of them, newest first for
    /// ``ActivityPageRequest/newest`` and ``ActivityPageRequest/older(than:)``, oldest first for
    /// ``ActivityPageRequest/newer(than:)`` (the ones nearest the cursor). The extra row only says there is more.
    public static func assemble(
        _ rows: [(entry: ActivityEntry<Action>, cursor: ActivityCursor)], for request: ActivityPageRequest, limit: Int
    ) -> ActivityPage {
        let more = rows.count > limit
        let kept = Array(rows.prefix(limit))
        switch request {
        case .newest:
            return ActivityPage(entries: kept.map(\.entry), older: more ? kept.last?.cursor : nil, newer: nil)
        case .older:
            // Something newer exists: the row the cursor came from.
            return ActivityPage(entries: kept.map(\.entry), older: more ? kept.last?.cursor : nil, newer: kept.first?.cursor)
        case .newer:
            let page = Array(kept.reversed())
            return ActivityPage(entries: page.map(\.entry), older: page.last?.cursor, newer: more ? page.first?.cursor : nil)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
