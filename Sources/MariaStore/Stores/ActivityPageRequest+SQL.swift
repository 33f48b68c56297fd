import Domain

extension ActivityPageRequest {
    /// `ASC` when reading newer rows (nearest the cursor first), else `DESC`. A constant, spliced as a fragment.
    var sqlDirection: SQLQuery {
        if case .newer = self { return "ASC" }
        return "DESC"
    }

    /// The condition that keeps the rows of `table` (aliased `alias`, a constant) past the cursor: one range on its
    /// `(…, occurred_at, id)` index (``ActivityCursor/idBound(for:_:)``); `TRUE` for the newest page.
    func sqlPast(_ table: ActivityCursor.Source, alias: String) -> SQLQuery {
        switch self {
        case .newest: return "TRUE"
        case .older(let cursor):
            return """
                \(unsafeRaw: alias).occurred_at <= \(cursor.at)
                AND (\(unsafeRaw: alias).occurred_at < \(cursor.at) OR \(unsafeRaw: alias).id < \(cursor.idBound(for: table, .older)))
                """
        case .newer(let cursor):
            return """
                \(unsafeRaw: alias).occurred_at >= \(cursor.at)
                AND (\(unsafeRaw: alias).occurred_at > \(cursor.at) OR \(unsafeRaw: alias).id > \(cursor.idBound(for: table, .newer)))
                """
        }
    }
}
