import FuzzSupport

@testable import Domain

/// OneRoster CSV sets through ``OneRosterImport/read(files:schoolSourcedID:)`` (the upload's and the CLI's
/// validation, after unzipping), and the whole input through ``CSVTable/parse(_:file:problems:)``.
///
/// The school is `s1`, as the seeds' sets name it: the upload passes the signed-in admin's school, and without
/// one a set of two schools stops at choosing it.
///
/// Input: `manifest.csv \0 orgs.csv \0 academicSessions.csv \0 courses.csv \0 classes.csv \0 users.csv \0
/// enrollments.csv`; an empty field leaves that file out of the set.
///
/// Properties: every record has as many fields as the header, starts on a line after the previous one, and a
/// parse that returns no table reports a problem; an import either succeeds with no problems or reports some.
let names = ["manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv"]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    var problems = RosterProblemList()
    if let table = CSVTable.parse(bytes, file: "fuzz.csv", problems: &problems) {
        var line = 0
        for record in table.records {
            fuzzRequire(record.fields.count == table.header.count, "a record of another width than the header")
            fuzzRequire(record.line > line, "record lines out of order")
            line = record.line
        }
        for (name, column) in table.columns { fuzzRequire(table.header[column] == name, "a column index pointing elsewhere") }
    } else {
        fuzzRequire(!problems.isEmpty, "no table and no problem")
    }

    var files: [String: [UInt8]] = [:]
    for (name, content) in zip(names, FuzzInput.fields(bytes, count: names.count)) where !content.isEmpty {
        files[name] = content
    }
    switch OneRosterImport.read(files: files, schoolSourcedID: "s1") {
    case .success(let snapshot): _ = snapshot.mode(of: .users)
    case .failure(let report): fuzzRequire(!report.problems.isEmpty, "a failed import with no problem")
    }
    return 0
}
