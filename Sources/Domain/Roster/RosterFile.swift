/// The OneRoster 1.1 CSV data files this import reads. Other files of a set (demographics, line items,
/// results, resources, categories) are accepted and ignored.
public enum RosterFile: String, Sendable, CaseIterable, Hashable {
    case orgs
    case academicSessions
    case courses
    case classes
    case users
    case enrollments

    /// The name in the set, as the manifest's `file.<name>` property and the zip entry spell it.
    public var fileName: String { rawValue + ".csv" }
}
