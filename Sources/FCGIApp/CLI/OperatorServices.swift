import Domain
import Foundation
import Logging
import MariaStore

/// A site's services for a command-line tool, connected as that site's pool account.
enum OperatorServices {
    /// Loads the configuration, the app account's password, the OAuth key file and the hasher; exits 78 on a
    /// configuration problem.
    static func open(_ options: ConfigOptions) throws -> SiteServices {
        try open(options, site: .app)
    }

    /// The developers site's services, connected as the developers pool's account (which reaches
    /// `catalyst_developers` only), with `portal.key_file` loaded; exits 78 on a configuration problem.
    static func openDevelopers(_ options: ConfigOptions) throws -> SiteServices {
        try open(options, site: .developers)
    }

    /// A site's services as its pool builds them: that site's account, and only that site's key files.
    private static func open(_ options: ConfigOptions, site: Site) throws -> SiteServices {
        var configuration = try options.load()
        let hasher: any PasswordHasher
        do {
            try configuration.loadPassword(for: Configuration.role(for: site))
            try configuration.loadKeys(for: site)
            hasher = try CompositionRoot.passwordHasher(configuration)
        } catch let error as ConfigError {
            ConfigOptions.fail(error)
        } catch {
            ConfigOptions.fail(ConfigError(["accounts.argon2_*: \(error)"]))
        }
        // The catalogues, for the mails a command sends (a set-password link, a cron run's notices). A command
        // that cannot read them still runs (`migrate`, `doctor` need none), with a warning: its mails would show keys.
        do {
            Translations.install(try Translations.load(directory: configuration.localesDirectory))
        } catch {
            FileHandle.standardError.write(Data("catalystwells: warning: general.locales_directory: \(error.description)\n".utf8))
        }
        MariaClient.initializeLibrary()
        return CompositionRoot.services(
            site: site, configuration: configuration,
            shared: CompositionRoot.WorkerShared(configuration: configuration, hasher: hasher, requestThreads: false))
    }

    /// Prints to standard error and exits with `code`.
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("catalystwells: \(message)\n".utf8))
        Foundation.exit(code)
    }

    /// Reads a password from standard input (first line), for `--password-stdin`.
    static func passwordFromStandardInput() -> String {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            fail("--password-stdin: no password on standard input", code: 64)
        }
        return line
    }
}
