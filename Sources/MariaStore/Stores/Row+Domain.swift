import Domain
import Foundation

extension Row {
    /// A `DATE` column as a calendar day.
    func calendarDate(_ name: String) -> CalendarDate? { date(name).map(CalendarDate.init) }

    /// A `DECIMAL(…,2)` column.
    func score(_ name: String) -> Score? { string(name).flatMap(Score.init) }

    /// A `BOOLEAN` column; NULL reads as false.
    func flag(_ name: String) -> Bool { (int(name) ?? 0) != 0 }

    /// A row id column as a typed id.
    func id<Kind>(_ name: String, as _: Kind.Type = Kind.self) -> RecordID<Kind>? { int(name).map { RecordID(Int64($0)) } }

    /// The columns `users` rows are read with (see ``userColumns``).
    func userAccount() -> UserAccount {
        UserAccount(
            id: id("id")!, role: Role(rawValue: string("role") ?? "") ?? .student, schoolID: id("school_id"),
            givenName: string("given_name") ?? "", familyName: string("family_name") ?? "",
            email: string("email"), username: string("username"),
            recordVersion: hasColumn("record_version") ? Int64(int("record_version") ?? 0) : 0)
    }

    /// A person summary from `users` columns.
    func personSummary() -> PersonSummary {
        PersonSummary(
            id: id("id")!, role: Role(rawValue: string("role") ?? "") ?? .student, givenName: string("given_name") ?? "",
            familyName: string("family_name") ?? "", email: string("email"), username: string("username"),
            gradeLevel: string("grade_level"), active: flag("active"))
    }

    /// A school's decision about an app from `policy_status` and `scope_limit`; `nil` when there is none.
    func schoolAppPolicy() -> SchoolAppPolicy? {
        guard let text = string("policy_status") else { return nil }
        // An unreadable decision must never read as allowed.
        let status = SchoolAppPolicy.Status(rawValue: text) ?? .blocked
        return SchoolAppPolicy(status: status, scopeLimit: string("scope_limit") == nil ? nil : scopeSet("scope_limit"))
    }
}
