/// Reads a OneRoster 1.1 CSV set (IMS Global OneRoster v1.1 CSV Tables) into a ``RosterSnapshot`` of one
/// school, or a ``RosterReport`` listing every problem found.
///
/// The order of work is visible here: file names, manifest, each data file on its own (format, enumerations,
/// dates, lengths, duplicate sourcedIds), then the school's selection and the references between files.
/// Rows of every org are checked for format, since a defect anywhere means the export is broken; references
/// and uniqueness are checked only for the rows that will be imported.
public enum OneRosterImport {
    /// The data files a set must declare in its manifest (as `bulk`, `delta` or `absent`).
    static let requiredFiles = RosterFile.allCases

    /// Reads a set.
    ///
    /// - Parameters:
    ///   - files: file name (`users.csv`) → raw bytes, as read from a folder or a zip; a folder prefix
    ///     (`export/users.csv`, `export\users.csv`) is ignored.
    ///   - schoolSourcedID: the sourcedId of the org (of type `school`) to import; `nil` picks the only
    ///     school of orgs.csv, and is a problem when there are none or several.
    public static func read(files: [String: [UInt8]], schoolSourcedID: String?) -> Result<RosterSnapshot, RosterReport> {
        var problems = RosterProblemList()
        let byName = baseNames(files, &problems)

        guard let manifestBytes = byName["manifest.csv"] else {
            problems.add(
                "manifest.csv", nil, nil, Message("roster.problem.manifest_missing", "the file is missing: a OneRoster set starts with manifest.csv"))
            return .failure(problems.report)
        }
        let manifest = readManifest(manifestBytes, &problems)

        var tables: [RosterFile: CSVTable] = [:]
        for file in requiredFiles {
            guard let declaration = manifest[file], declaration.mode != .absent else { continue }
            guard let bytes = byName[file.fileName] else {
                problems.add(
                    file.fileName, nil, nil,
                    Message(
                        "roster.problem.file_missing_declared",
                        "the file is missing, but manifest.csv line \(declaration.line) declares it \(declaration.mode.rawValue)",
                        ["mode": declaration.mode.rawValue], numbers: ["line": declaration.line])
                )
                continue
            }
            tables[file] = CSVTable.parse(bytes, file: file.fileName, problems: &problems)
        }
        let modes = manifest.mapValues(\.mode)
        func mode(_ file: RosterFile) -> RosterFileMode { modes[file] ?? .absent }

        var set = ParsedSet(modes: modes)
        if let table = tables[.orgs], let rows = readOrgs(table, mode(.orgs), &problems) {
            set.orgs = rows
            if !table.damaged { set.readable.insert(.orgs) }
        }
        if let table = tables[.academicSessions], let rows = readSessions(table, mode(.academicSessions), &problems) {
            set.sessions = rows
            if !table.damaged { set.readable.insert(.academicSessions) }
        }
        if let table = tables[.courses], let rows = readCourses(table, mode(.courses), &problems) {
            set.courses = rows
            if !table.damaged { set.readable.insert(.courses) }
        }
        if let table = tables[.classes], let rows = readClasses(table, mode(.classes), &problems) {
            set.classes = rows
            if !table.damaged { set.readable.insert(.classes) }
        }
        if let table = tables[.users], let rows = readUsers(table, mode(.users), &problems) {
            set.users = rows
            if !table.damaged { set.readable.insert(.users) }
        }
        if let table = tables[.enrollments], let rows = readEnrollments(table, mode(.enrollments), &problems) {
            set.enrollments = rows
            if !table.damaged { set.readable.insert(.enrollments) }
        }

        guard let snapshot = select(set, schoolSourcedID: schoolSourcedID, &problems), problems.isEmpty else {
            return .failure(problems.report)
        }
        return .success(snapshot)
    }

    /// Strips folder prefixes; a name that appears twice (in two folders of a zip) is ambiguous.
    private static func baseNames(_ files: [String: [UInt8]], _ problems: inout RosterProblemList) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        var seen: [String: String] = [:]
        for path in files.keys.sorted() {
            let name = String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
            guard name.hasSuffix(".csv") else { continue }
            if let first = seen[name] {
                problems.add(
                    name, nil, nil,
                    Message(
                        "roster.problem.duplicate_file", "the set holds two files of this name ('\(first)' and '\(path)')",
                        ["first": first, "second": path]))
                continue
            }
            seen[name] = path
            result[name] = files[path]
        }
        return result
    }
}
