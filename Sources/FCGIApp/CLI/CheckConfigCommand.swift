import ArgumentParser
import Foundation

/// `catalystwells check-config`: validates the configuration and the secret files it names.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration file, environment overrides and password files; name every bad key."
    )

    @OptionGroup var options: ConfigOptions
    @Flag(help: "Print every key with its default and documentation, as a config file.") var printDefaults = false

    func run() throws {
        if printDefaults {
            print(ConfigSchema.exampleFile(), terminator: "")
            return
        }
        var configuration = try options.load()
        var problems: [String] = []
        for role in [Configuration.AccountRole.app, .developers, .migrator] {
            do { try configuration.loadPassword(for: role) } catch { problems += error.messages }
        }
        do { try configuration.loadOAuthKey() } catch { problems += error.messages }
        do { try configuration.loadCredentialKey() } catch { problems += error.messages }
        do { try configuration.loadPortalKey() } catch { problems += error.messages }
        if !problems.isEmpty { ConfigOptions.fail(ConfigError(problems)) }
        print("configuration OK (\(configuration.environment.rawValue))")
        for site in Site.allCases {
            let pool = configuration.pool(site)
            print("  pool \(site.rawValue): \(pool.workers) workers × \(pool.threads) threads on \(pool.socket.isEmpty ? "fd 0" : pool.socket)")
        }
        print(
            "  databases: \(configuration.mainDatabase), \(configuration.developersDatabase) via \(configuration.databaseSocket.isEmpty ? "\(configuration.databaseHost):\(configuration.databasePort)" : configuration.databaseSocket)"
        )
    }
}
