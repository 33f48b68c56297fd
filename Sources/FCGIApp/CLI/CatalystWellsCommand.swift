import ArgumentParser
import Foundation

/// The `catalystwells` executable: the pools and the operator's tools.
@main
struct CatalystWellsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalystwells",
        abstract: "CatalystWells: school sign-in and app ecosystem, served to nginx over FastCGI.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, CheckConfigCommand.self, AdminCommand.self, RosterCommand.self, PurgeCommand.self,
            SyncCommand.self,
            ClientCommand.self, KeysCommand.self, DemoCommand.self, WebhooksCommand.self, MailCommand.self, UpstreamCommand.self,
            DirectoryCommand.self, AgreementsCommand.self, ExportsCommand.self, ErasuresCommand.self,
            BackupCommand.self, RestoreCommand.self, DoctorCommand.self,
            WorkerCommand.self,
        ]
    )
}

extension Site: ExpressibleByArgument {}

/// Options every command that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $CATALYSTWELLS_CONFIG or /etc/catalystwells/catalystwells.conf).")
    var config: String?

    /// Loads and validates the configuration, or prints every problem and exits with status 78 (EX_CONFIG).
    func load() throws -> Configuration {
        do {
            return try ConfigLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            Self.fail(error)
        }
    }

    /// Prints configuration problems and exits.
    static func fail(_ error: ConfigError) -> Never {
        var message = "catalystwells: the configuration is not valid:\n"
        for line in error.messages { message += "  - \(line)\n" }
        FileHandle.standardError.write(Data(message.utf8))
        Foundation.exit(78)
    }
}
