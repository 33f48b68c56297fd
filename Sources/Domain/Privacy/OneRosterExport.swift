import Foundation

/// A school's (or one class's) roster as a OneRoster 1.1 CSV set (CSV Tables §2): `manifest.csv` with every data
/// file `bulk`, and `orgs.csv`, `academicSessions.csv`, `courses.csv`, `classes.csv`, `users.csv` and
/// `enrollments.csv` with the columns ``OneRosterImport`` reads, so the set imports again unchanged.
/// `demographics.csv` is declared `absent`: CatalystWells does not hold demographics (the import ignores them).
///
/// These files are for programs: cells are quoted per RFC 4180 but never altered (no formula guard), so the ids
/// survive a round trip. Only active classes, courses, terms and enrolments are listed (a bulk import deactivates
/// what is missing); a deactivated person is listed with `enabledUser` false. Every file is bulk, so `status` and
/// `dateLastModified` are left blank as CSV Tables §2.2 asks (they carry meaning only in a delta file); two exports
/// of an unchanged roster are therefore the same bytes.
public enum OneRosterExport {
    /// The CSV files, under `folder` (e.g. `oneroster/`).
    public static func files(_ roster: RosterExport, folder: String) -> [ExportFile] {
        let modified = ""
        let org = roster.org
        let usersBySourcedID = Dictionary(roster.users.map { ($0.sourcedID, $0) }, uniquingKeysWith: { first, _ in first })
        let manifest = [
            ["manifest.version", "1.0"], ["oneroster.version", "1.1"], ["file.academicSessions", "bulk"], ["file.categories", "absent"],
            ["file.classes", "bulk"], ["file.classResources", "absent"], ["file.courses", "bulk"], ["file.courseResources", "absent"],
            ["file.demographics", "absent"], ["file.enrollments", "bulk"], ["file.lineItems", "absent"], ["file.orgs", "bulk"],
            ["file.resources", "absent"], ["file.results", "absent"], ["file.users", "bulk"], ["source.systemName", "CatalystWells"],
            ["source.systemCode", ""],
        ]
        let terms = roster.terms.filter(\.active)
        let courses = roster.courses.filter(\.active)
        let classes = roster.classes.filter(\.active)
        let enrollments = roster.enrollments.filter { $0.active && usersBySourcedID[$0.userSourcedID] != nil }
        return [
            ExportFile(name: folder + "manifest.csv", text: document(["propertyName", "value"], manifest)),
            ExportFile(
                name: folder + "orgs.csv",
                text: document(
                    ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
                    [[org.sourcedID, "", modified, org.name, "school", org.identifier ?? "", ""]])),
            ExportFile(
                name: folder + "academicSessions.csv",
                text: document(
                    ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
                    terms.map { [$0.sourcedID, "", modified, $0.title, $0.kind, $0.start.description, $0.end.description, "", String($0.end.year)] })),
            ExportFile(
                name: folder + "courses.csv",
                text: document(
                    ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects"],
                    courses.map { [$0.sourcedID, "", modified, "", $0.title, $0.courseCode ?? "", "", org.sourcedID, ""] })),
            ExportFile(
                name: folder + "classes.csv",
                text: document(
                    [
                        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
                        "schoolSourcedId", "termSourcedIds", "subjects",
                    ],
                    classes.map {
                        [
                            $0.sourcedID, "", modified, $0.title, "", $0.courseSourcedID, $0.classCode ?? "", "scheduled", "", org.sourcedID,
                            $0.termSourcedID, "",
                        ]
                    })),
            ExportFile(
                name: folder + "users.csv",
                text: document(
                    [
                        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName",
                        "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
                    ],
                    roster.users.map {
                        [
                            $0.sourcedID, "", modified, String($0.enabled), org.sourcedID, oneRosterRole($0.role), $0.username, "", $0.givenName,
                            $0.familyName, "", "", $0.email ?? "", "", "", $0.agentSourcedIDs.joined(separator: ","), $0.gradeLevel ?? "", "",
                        ]
                    })),
            ExportFile(
                name: folder + "enrollments.csv",
                text: document(
                    [
                        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary",
                        "beginDate", "endDate",
                    ],
                    enrollments.map {
                        [
                            $0.sourcedID ?? "\($0.classSourcedID)-\($0.userSourcedID)", "", modified, $0.classSourcedID, org.sourcedID,
                            $0.userSourcedID, $0.role, "", "", "",
                        ]
                    })),
        ]
    }

    /// The OneRoster role of a CatalystWells role.
    public static func oneRosterRole(_ role: Role) -> String {
        switch role {
        case .student: "student"
        case .teacher: "teacher"
        case .parent: "parent"
        case .schoolAdmin, .platformAdmin: "administrator"
        }
    }

    /// An RFC 4180 file: CRLF line ends, a cell quoted when it holds a comma, a quote or a line break.
    static func document(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(cell).joined(separator: ",") + "\r\n" }.joined()
    }

    static func cell(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
