import ArgumentParser
import Domain
import Foundation

/// `catalystwells doctor`: checks an installation and says what to fix (README "Operations").
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, key files, database accounts and grants, schema, nginx, certificates, clock, schedules and disk.",
        discussion: """
            Prints one line per check (ok, skip, WARN or FAIL, and for the last two what to do) and exits 1 when any \
            check failed. Run it as root: it reads every key file and connects as every database account.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Folder with main/ and developers/ migration files (default: general.schema_directory).") var schema: String?
    @Option(help: "The app pool's OS user.") var appUser = "catalystwells-app"
    @Option(help: "The developers pool's OS user.") var developersUser = "catalystwells-dev"
    @Option(help: "nginx's main configuration file, for nginx -t and the certificates it names.") var nginxConfig = "/etc/nginx/nginx.conf"
    @Option(name: .customLong("certificate"), help: "A certificate to check instead of those the nginx configuration names; repeatable.")
    var certificates: [String] = []
    @Option(help: "The cron file of deploy/cron.") var cronFile = "/etc/cron.d/catalystwells"
    @Option(help: "The backup timer unit.") var backupTimer = "catalystwells-backup.timer"

    func run() throws {
        let doctor = Doctor(
            configurationPath: options.resolvedPath, schemaDirectory: schema, appUser: appUser, developersUser: developersUser,
            nginxConfig: nginxConfig, certificates: certificates, cronFile: cronFile, backupTimer: backupTimer, now: Date())
        let checks = doctor.run { print($0.line) }
        let failed = checks.filter { $0.status == .fail }.count
        let warned = checks.filter { $0.status == .warn }.count
        print("doctor: \(checks.count) checks, \(failed) failed, \(warned) warnings")
        if failed > 0 { throw ExitCode(DoctorCheck.exitStatus(checks)) }
    }
}
