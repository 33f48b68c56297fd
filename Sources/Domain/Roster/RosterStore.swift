import Foundation

/// Applies validated rosters to the school data.
public protocol RosterStore {
    /// Applies `snapshot` in one transaction: all of it or, on any error, nothing.
    ///
    /// - Records are matched by (school, sourcedId) and only written when they differ, so applying the same
    ///   snapshot twice changes nothing the second time (every count "unchanged", no `updated_at` moved).
    /// - For a ``RosterFileMode/bulk`` file, the school's records from earlier imports that the file leaves
    ///   out are deactivated (guardian links: deleted); a ``RosterFileMode/delta`` file changes only what it
    ///   lists, deactivating its ``RosterSnapshot/removals``. Nothing is ever deleted but guardian links.
    /// - A deactivated user's sessions are deleted, so they are signed out at once.
    /// - Password hashes are never touched; neither is any user of another school or without a sourcedId,
    ///   except that an account created by hand in the same school, with the same role and the same email
    ///   or username, is adopted by the roster row instead of being reported as a conflict.
    /// - Appends a `roster_imports` row recording `startedBy`, `source` and the summary.
    ///
    /// Throws ``RosterReport`` listing every record that cannot be applied (a username or email held by
    /// another account, a reference that neither the snapshot nor the earlier imports resolve, a school
    /// never imported whose name the snapshot lacks); ``StoreError`` when the database fails.
    func apply(_ snapshot: RosterSnapshot, startedBy: String, source: String, now: Date) throws -> RosterImportSummary
}
