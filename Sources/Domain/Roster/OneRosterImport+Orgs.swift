extension OneRosterImport {
    /// OneRoster 1.1 org types (CSV Tables §2.7).
    static let orgTypes = ["department", "school", "district", "local", "state", "national"]

    /// orgs.csv: name and type required; a `parentSourcedId` must name an org of the file when the file is
    /// bulk (a delta file may refer to orgs sent earlier).
    static func readOrgs(_ table: CSVTable, _ mode: RosterFileMode, _ problems: inout RosterProblemList) -> [ParsedSet
        .Org]?
    {
        var parents: [(line: Int, parent: String)] = []
        let rows = readRows(table, mode, columns: ["name", "type"], &problems) { row, key, problems in
            if key.deleted {
                return ParsedSet.Org(key: key, name: row.text("name"), type: row.text("type"), identifier: nil)
            }
            let name = row.required("name", &problems)
            let type = row.oneOf("type", orgTypes, &problems)
            let identifier = row.optional("identifier", &problems)
            let parent = row.text("parentSourcedId")
            if !parent.isEmpty { parents.append((row.line, parent)) }
            return ParsedSet.Org(key: key, name: name ?? "", type: type ?? "", identifier: identifier)
        }
        guard let rows else { return nil }
        if mode == .bulk {
            let known = Set(rows.map(\.key.sourcedID))
            for (line, parent) in parents where !known.contains(parent) {
                problems.add(
                    table.file, line, "parentSourcedId",
                    Message("roster.problem.no_parent_org", "there is no org '\(parent)' in orgs.csv", ["value": parent]))
            }
        }
        return rows
    }
}
