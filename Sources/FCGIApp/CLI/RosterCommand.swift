import ArgumentParser
import Domain
import Foundation
import Logging

/// `catalystwells roster import PATH`: a OneRoster 1.1 CSV set from a folder or a zip file.
struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster", abstract: "Import and export school rosters.", subcommands: [Import.self, Run.self, Export.self])

    /// `catalystwells roster export --school ID OUT`: the school's roster as the OneRoster 1.1 CSV set `import` reads.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a school's roster as a OneRoster 1.1 CSV set (a .zip, or a folder of CSV files).",
            discussion: "The same files `roster import` reads (manifest.csv, orgs, academicSessions, courses, classes, users, enrollments).")

        @OptionGroup var options: ConfigOptions
        @Option(help: "sourcedId of the school.") var school: String
        @Argument(help: "A path ending in .zip, or a folder (created if missing).") var output: String

        func run() throws {
            let services = try OperatorServices.open(options)
            guard let id = try services.people.accounts.schoolID(sourcedID: school),
                let roster = try services.privacy.records.roster(of: id, onlyClass: nil)
            else { OperatorServices.fail("no school has sourcedId '\(school)'") }
            let now = services.clock()
            if output.hasSuffix(".zip") {
                try Data(ExportBuilder.oneRosterZip(roster, now: now)).write(to: URL(fileURLWithPath: output), options: .withoutOverwriting)
            } else {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                for file in OneRosterExport.files(roster, folder: "") {
                    try Data(file.bytes).write(to: URL(fileURLWithPath: output).appendingPathComponent(file.name), options: .withoutOverwriting)
                }
            }
            print("\(output): \(roster.users.count) users, \(roster.classes.count) classes, \(roster.enrollments.count) enrollments")
        }
    }

    /// Imports the uploads the school admins' page queued (cron runs it every minute).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Import the roster uploads waiting in the queue, and print a JSON summary.",
            discussion: """
                The upload page checks every file at once and imports small uploads in the request; larger ones wait in \
                roster_import_jobs for this command (cron, every minute) or POST /internal/cron/roster. A job whose run \
                died is taken up again after its lease (30 minutes); an import is idempotent, so that is safe.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "At most this many uploads in this run.") var limit = 5

        func run() throws {
            let services = try OperatorServices.open(options)
            let logger = LogSetup.logger("catalystwells.roster", level: services.configuration.logLevel, format: services.configuration.logFormat)
            let run = RosterImportRun(services: services, logger: logger)
            try CronLease.printing(.roster, leases: services.leases) {
                String(decoding: try run.run(limit: max(limit, 1)).json.serialized(), as: UTF8.self)
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a OneRoster 1.1 CSV export (a folder or a .zip) in one all-or-nothing transaction.",
            discussion: """
                Every file is checked before anything is written; problems are listed with file, line and column and \
                nothing changes. Bulk files deactivate people missing from them; delta files change only their rows. \
                Exit status: 0 imported, 65 the files have problems, 1 anything else.
                """)

        @OptionGroup var options: ConfigOptions
        @Argument(help: "A folder holding manifest.csv and the other files, or a .zip of them.") var path: String
        @Option(help: "sourcedId of the school (org) to import; needed when orgs.csv lists more than one school.") var school: String?
        @Flag(help: "Only check the files; write nothing.") var dryRun = false

        func run() throws {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                OperatorServices.fail("\(path): no such file or folder", code: 66)
            }
            do {
                let files: [String: [UInt8]]
                if isFolder.boolValue {
                    files = try RosterImportJob.files(fromFolder: path)
                } else {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        OperatorServices.fail("\(path): cannot read the file", code: 66)
                    }
                    files = try RosterImportJob.files(fromZip: Array(data))
                }
                if dryRun {
                    switch OneRosterImport.read(files: files, schoolSourcedID: school) {
                    case .failure(let report): throw report
                    case .success: print("\(path): no problems found (nothing was written: --dry-run)")
                    }
                    return
                }
                let services = try OperatorServices.open(options)
                let user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "operator"
                let outcome = try RosterImportJob.run(
                    files: files, school: school, startedBy: "cli:\(user)", source: "cli: " + String(path.suffix(200)), services: services,
                    logger: LogSetup.logger("catalystwells.roster", level: services.configuration.logLevel, format: services.configuration.logFormat))
                for line in outcome.summary.lines { print(line) }
                print("set-password mails queued: \(outcome.invitationsQueued) (catalystwells mail deliver --site app sends them)")
                if outcome.invitationFailures > 0 {
                    print("set-password mails that could not be queued: \(outcome.invitationFailures) (see the log above)")
                }
            } catch let report as RosterReport {
                FileHandle.standardError.write(Data("catalystwells roster import: \(path): nothing was imported:\n".utf8))
                for line in report.lines { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
                throw ExitCode(65)
            }
        }
    }
}
