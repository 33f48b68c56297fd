extension OneRosterImport {
    /// A `file.<name>` line of manifest.csv.
    struct FileDeclaration {
        let mode: RosterFileMode
        let line: Int
    }

    /// Reads manifest.csv (OneRoster 1.1 CSV Tables §2.1): `propertyName,value` rows, `manifest.version`
    /// 1.0, `oneroster.version` 1.1, and a `file.<name>` of `bulk`, `delta` or `absent` for each data file this
    /// import needs. Other properties (`source.systemName`, files this import ignores) are allowed.
    static func readManifest(_ bytes: [UInt8], _ problems: inout RosterProblemList) -> [RosterFile: FileDeclaration] {
        let name = "manifest.csv"
        guard let table = CSVTable.parse(bytes, file: name, problems: &problems) else { return [:] }
        guard let propertyColumn = table.columns["propertyName"], let valueColumn = table.columns["value"] else {
            for column in ["propertyName", "value"] where table.columns[column] == nil {
                problems.add(
                    name, 1, column, Message("roster.problem.header_missing_column", "the header has no column '\(column)'", ["column": column]))
            }
            return [:]
        }

        var properties: [String: (value: String, line: Int)] = [:]
        for record in table.records {
            let property = record.fields[propertyColumn]
            if let first = properties[property] {
                problems.add(
                    name, record.line, "propertyName",
                    Message(
                        "roster.problem.property_repeated", "'\(property)' is already set on line \(first.line)",
                        ["value": property], numbers: ["line": first.line]))
                continue
            }
            properties[property] = (record.fields[valueColumn], record.line)
        }

        for (property, expected) in [("manifest.version", "1.0"), ("oneroster.version", "1.1")] {
            guard let found = properties[property] else {
                problems.add(
                    name, nil, nil,
                    Message(
                        "roster.problem.property_missing", "the property '\(property)' is missing (expected \(expected))",
                        ["property": property, "expected": expected]))
                continue
            }
            if found.value != expected {
                problems.add(
                    name, found.line, "value",
                    Message(
                        "roster.problem.property_unsupported", "\(property) is '\(found.value)'; this import reads \(expected)",
                        ["property": property, "value": found.value, "expected": expected]))
            }
        }

        var declarations: [RosterFile: FileDeclaration] = [:]
        for file in requiredFiles {
            guard let found = properties["file." + file.rawValue] else {
                problems.add(
                    name, nil, nil,
                    Message(
                        "roster.problem.file_property_missing", "the property 'file.\(file.rawValue)' is missing (bulk, delta or absent)",
                        ["file": file.rawValue]))
                continue
            }
            guard let mode = RosterFileMode(rawValue: found.value) else {
                problems.add(
                    name, found.line, "value",
                    Message("roster.problem.file_mode_invalid", "'\(found.value)' is not one of bulk, delta, absent", ["value": found.value]))
                continue
            }
            declarations[file] = FileDeclaration(mode: mode, line: found.line)
        }
        return declarations
    }
}
