/// How a data file of a set is to be applied, as declared by `file.<name>` in manifest.csv
/// (OneRoster 1.1 CSV Tables, section 2.1).
public enum RosterFileMode: String, Sendable, CaseIterable {
    /// The file is the complete truth: records of the school that it leaves out are deactivated.
    case bulk
    /// The file lists only changes: rows marked `tobedeleted` are deactivated, everything else is untouched.
    case delta
    /// The set carries no such file; nothing of that kind changes.
    case absent
}
