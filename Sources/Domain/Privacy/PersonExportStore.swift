import Foundation

/// Reads what an export holds. Every read names the school, and returns nothing for a person or class of another
/// school: the caller's check (``ExportAccess``) is not the only fence.
public protocol PersonExportStore {
    /// The person's school and role, or `nil` when no such person belongs to `school` (an erased person included:
    /// what is left of them is still theirs to ask for).
    func person(_ id: UserID, in school: SchoolID) throws -> (role: Role, active: Bool)?
    /// Everything held about the person, or `nil` when they do not belong to `school`. At most `limit` rows of each
    /// log (data-access log, sign-in history), newest first.
    func record(of person: UserID, in school: SchoolID, logLimit: Int) throws -> PersonRecord?
    /// The school's roster for OneRoster, or one class's part of it; `nil` when the school or class is not found in
    /// `school`.
    func roster(of school: SchoolID, onlyClass: ClassID?) throws -> RosterExport?
}

/// Who may ask for whose export. A `false` is a 404, as for every record page.
public enum ExportAccess {
    /// Whether `viewer` may export the person `subject` (of school `subjectSchool`, with that role) as `audience`.
    ///
    /// Anyone of a school exports themself; a parent, a child linked to them (`isGuardian`); the school admin, anyone
    /// of their school. Teachers export only themselves; platform admins belong to no school and export nothing.
    public static func audience(
        of viewer: UserAccount, for subject: UserID, subjectSchool: SchoolID, isGuardian: Bool
    ) -> ExportAudience? {
        guard let school = viewer.schoolID, school == subjectSchool else { return nil }
        if viewer.id == subject { return viewer.role == .schoolAdmin ? .schoolAdmin : .person }
        switch viewer.role {
        case .parent: return isGuardian ? .parent : nil
        case .schoolAdmin: return .schoolAdmin
        case .student, .teacher, .platformAdmin: return nil
        }
    }
}

/// The file set of a whole archive.
public enum ExportArchive {
    /// The archive of one person: README.txt and the person's files.
    public static func person(_ record: PersonRecord, audience: ExportAudience, generatedAt: Date) -> [ExportFile] {
        [PersonExport.readme(for: record, audience: audience, generatedAt: generatedAt)]
            + PersonExport.files(record, audience: audience, generatedAt: generatedAt)
    }

    /// The archive of a class or school: README.txt, the OneRoster set under `oneroster/`, and each person's files
    /// under `people/<id>/`.
    public static func roster(_ roster: RosterExport, people: [PersonRecord], generatedAt: Date, classTitle: String?) -> [ExportFile] {
        let what = classTitle.map { "the class \($0) of \(roster.org.name)" } ?? "the school \(roster.org.name)"
        let readme = """
            Everything CatalystWells holds about \(what)
            Made: \(PersonExport.timestamp(generatedAt)) (UTC), for the school admin

            oneroster/                 the roster as a OneRoster 1.1 CSV set (manifest.csv, orgs.csv, users.csv,
                                       classes.csv, courses.csv, academicSessions.csv, enrollments.csv), every file
                                       bulk; `catalystwells roster import` and other OneRoster systems read it.
                                       demographics.csv is absent: CatalystWells holds no demographics.
            people/<id>/               one folder per person (\(people.count) in all), named by their CatalystWells
                                       id (the `id` in profile.json), with these files:

            \(PersonExport.fileList(folder: "people/<id>/", drafts: "every grade entered, published or not"))
            Times are UTC in ISO 8601. In the people's CSV files a cell that would start with = + - or @ is
            prefixed with ' so that a spreadsheet shows it as text; the OneRoster files are left exact.
            """
        var files = [ExportFile(name: "README.txt", text: readme + "\n")]
        files += OneRosterExport.files(roster, folder: "oneroster/")
        for person in people {
            files += PersonExport.files(person, audience: .schoolAdmin, generatedAt: generatedAt, folder: "people/\(person.profile.id.rawValue)/")
        }
        return files
    }
}
