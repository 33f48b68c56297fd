/// A student's attendance mark for one class on one day.
public enum AttendanceStatus: String, Sendable, CaseIterable {
    case present, absent, late, excused

    /// How the status is named on pages.
    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}
