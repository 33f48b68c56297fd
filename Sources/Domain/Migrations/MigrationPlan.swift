/// Decides which migrations to apply to one database, refusing whenever the history and the files disagree.
///
/// Rules (forward-only migrations):
/// - versions are unique among the files;
/// - every applied version still has its file, with the same checksum (an applied file must never be edited:
///   write a new migration instead);
/// - a pending file must be newer than every applied one (no migrations slipped in below the head).
public enum MigrationPlan {
    /// The files still to apply, in order; empty when the database is up to date.
    public static func pending(
        files: [MigrationFile], applied: [AppliedMigration]
    ) throws(MigrationError) -> [MigrationFile] {
        var byVersion: [Int: MigrationFile] = [:]
        for file in files {
            if let other = byVersion[file.version] {
                throw MigrationError(
                    "\(file.fileName) and \(other.fileName) share version \(file.version): renumber one of them")
            }
            byVersion[file.version] = file
        }
        for record in applied {
            guard let file = byVersion[record.version] else {
                throw MigrationError(
                    "version \(record.version) (\(record.fileName)) is applied in the database but its file is missing: "
                        + "this build is older than the database")
            }
            if file.checksum != record.checksum {
                throw MigrationError(
                    "\(file.fileName) was edited after it was applied (checksum \(record.checksum.prefix(12))… in the database, "
                        + "\(file.checksum.prefix(12))… on disk): put the change in a new migration instead")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let head = applied.map(\.version).max() ?? 0
        let pending = files.filter { !appliedVersions.contains($0.version) }.sorted { $0.version < $1.version }
        if let early = pending.first, early.version < head {
            throw MigrationError(
                "\(early.fileName) is older than the newest applied migration (version \(head)): "
                    + "migrations only go forward, give it a number above \(head)")
        }
        return pending
    }
}
