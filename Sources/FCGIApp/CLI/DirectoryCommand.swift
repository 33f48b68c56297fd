import ArgumentParser
import Domain
import Foundation

/// `catalystwells directory …`: the operator's side of a school's LDAP directory or Active Directory (issue 15), what a
/// school admin also does on `/school/sign-in`.
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "Manage sign-in against a school's LDAP directory or Active Directory.",
        subcommands: [Save.self, Show.self, Remove.self, Test.self])

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set the school's directory (replacing its earlier settings).",
            discussion: """
                Active Directory: --uri ldaps://dc1.example.org (LDAPS, 636) or --uri ldap://dc1.example.org (StartTLS on 389), \
                --filter '(&(objectClass=user)(sAMAccountName={name}))' or '(&(objectClass=user)(userPrincipalName={name}))', \
                --disabled-check active-directory. OpenLDAP: --filter '(&(objectClass=inetOrgPerson)(uid={name}))', leaving \
                disabled people out in the filter. The service account's password is read from a file (or standard input with \
                --bind-password-file -) and stored sealed; it is never printed. Without --bind-password-file the saved one is kept.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String
        @Option(help: "The form says \"Sign in with your <name> account\".") var name: String
        @Option(name: .customLong("uri"), help: "A server: ldaps://host[:port] or ldap://host[:port] (StartTLS); repeat for failover, in order.")
        var uris: [String]
        @Flag(name: .customLong("allow-plain"), help: "Allow no TLS for ldapi:// and ldap:// to a loopback address.") var allowPlain = false
        @Option(
            name: .customLong("ca-file"),
            help: "A PEM file of the CA the servers' certificates chain to (default: the system's); its certificates are stored.")
        var caFile = ""
        @Option(name: .customLong("bind-dn"), help: "The service account (read rights only).") var bindDN: String
        @Option(name: .customLong("bind-password-file"), help: "A file holding the service account's password (first line), or -.")
        var bindPasswordFile: String?
        @Option(name: .customLong("base-dn"), help: "Where people are searched (subtree).") var baseDN: String
        @Option(help: "The search filter; {name} is the typed name, RFC 4515-escaped.") var filter: String
        @Option(help: "The link attribute is compared with the roster's: email, sourced-id or username.") var link = "email"
        @Option(name: .customLong("link-attribute"), help: "The entry's attribute compared with the roster (default mail for email).")
        var linkAttribute = ""
        @Option(name: .customLong("disabled-check"), help: "none, or active-directory (userAccountControl bit 2).") var disabledCheck = "none"
        @Flag(help: "Store the directory switched off (the sign-in page keeps CatalystWells passwords).") var disabled = false

        func run() throws {
            let password = bindPasswordFile.map(readPassword) ?? ""
            let services = try OperatorServices.open(options)
            guard let keys = services.oauth.keys else { OperatorServices.fail("oauth.key_file is needed to seal the service password", code: 78) }
            guard let found = try services.upstream.store.school(sourcedID: school) else {
                OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
            }
            let store = services.directories.store
            var settings = SignInDirectorySettings()
            settings.name = name
            settings.uris = uris.joined(separator: " ")
            settings.allowPlain = allowPlain
            if !caFile.isEmpty {
                guard let data = FileManager.default.contents(atPath: caFile), data.count <= PEMCertificates.maximumBytes,
                    let text = String(data: data, encoding: .utf8)
                else {
                    OperatorServices.fail(
                        "--ca-file: \(caFile) cannot be read, is over \(PEMCertificates.maximumBytes) bytes or is not text", code: 66)
                }
                settings.caCertificates = text
            }
            settings.bindDN = bindDN
            settings.bindPassword = password
            settings.baseDN = baseDN
            settings.filter = filter
            settings.linkRule = link
            settings.linkAttribute = linkAttribute
            settings.disabledCheck = disabledCheck
            settings.enabled = !disabled
            let existing = try store.signInDirectory(of: found.id)
            var generator = SystemRandomNumberGenerator()
            let directory: SignInDirectory
            do {
                directory = try settings.validated(school: found.id, key: keys.directorySecretKey, existing: existing, using: &generator)
            } catch {
                let flag =
                    [
                        "uris": "uri", "ca_certificates": "ca-file", "bind_dn": "bind-dn", "bind_password": "bind-password-file",
                        "base_dn": "base-dn",
                        "link_rule": "link", "link_attribute": "link-attribute", "disabled_check": "disabled-check",
                    ][error.field] ?? error.field
                OperatorServices.fail("--\(flag): \(error.message)", code: 64)
            }
            try store.saveSignInDirectory(directory, now: services.clock())
            try UpstreamCommand.audit(
                .upstreamProviderChanged, services, school: found.id,
                detail: "saved the school directory: \(DirectorySignInRoutes.describe(directory)) from the command line")
            print("\(existing == nil ? "added" : "updated") the directory of \(school): \(DirectorySignInRoutes.describe(directory))")
            print("sign-in link:  \(services.configuration.appURL)/login?school=\(FormCodec.encode(school))")
        }

        private func readPassword(_ file: String) -> String {
            let text: String?
            if file == "-" {
                text = readLine(strippingNewline: true)
            } else {
                text = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).first
                    .map(String.init)
            }
            guard let text, !text.isEmpty else {
                OperatorServices.fail("--bind-password-file: \(file) holds no password (or cannot be read)", code: 66)
            }
            return text
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a school's directory settings (never the password).")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String

        func run() throws {
            let services = try OperatorServices.open(options)
            let directory = try DirectoryCommand.directory(of: school, services)
            print(DirectorySignInRoutes.describe(directory))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a school's directory (its sign-in page checks our passwords again).")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String

        func run() throws {
            let services = try OperatorServices.open(options)
            guard let found = try services.upstream.store.school(sourcedID: school) else {
                OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
            }
            guard try services.directories.store.removeSignInDirectory(of: found.id) else {
                OperatorServices.fail("\(school) has no directory", code: 65)
            }
            try UpstreamCommand.audit(
                .upstreamProviderChanged, services, school: found.id, detail: "removed the school directory from the command line")
            print("removed the directory of \(school)")
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the service account's search for a name (no password) and show what it found: exits 0 for one usable entry.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String
        @Option(help: "The name a person would type.") var name: String

        func run() throws {
            let services = try OperatorServices.open(options)
            let directory = try DirectoryCommand.directory(of: school, services)
            guard let keys = services.oauth.keys,
                let password = try? DirectoryBindPassword.open(directory.sealedBindPassword, school: directory.schoolID, key: keys.directorySecretKey)
            else { OperatorServices.fail("the service password does not open under this oauth.key_file: set it again", code: 78) }
            let flow = DirectorySignIn(
                directory: directory,
                server: DirectoryServer(
                    endpoints: directory.endpoints, caCertificates: directory.caCertificates, bindDN: directory.bindDN, bindPassword: password),
                connector: services.directories.connector,
                linking: UpstreamLinking(store: services.upstream.store, accounts: services.people.accounts))
            let result = try flow.test(name: name)
            print("filter:  \(result.filter)")
            switch result.answer {
            case .badName:
                OperatorServices.fail("--name: give 1 to \(DirectorySignIn.maximumNameLength) bytes", code: 64)
            case .failed(let failure):
                OperatorServices.fail("the directory could not be used (\(failure.kind.rawValue)): \(failure.detail)", code: 69)
            case .entries(let found):
                for entry in found.entries { print("entry:   \(entry.dn)") }
                OperatorServices.fail(
                    found.entries.isEmpty
                        ? "no entry matches\(found.references > 0 ? " (and \(found.references) references elsewhere, not followed)" : "")"
                        : "several entries match: the filter must select one person", code: 65)
            case .one(let entry, let disabled, let person):
                print("entry:   \(entry.dn)")
                for attribute in entry.attributes { print("         \(attribute.name): \(attribute.values.joined(separator: ", "))") }
                guard !disabled else { OperatorServices.fail("the account is disabled in the directory", code: 65) }
                switch person {
                case .person(let user, _): print("person:  \(user.displayName) (\(user.role.rawValue), user \(user.id))")
                case .inactive(let user): OperatorServices.fail("matches \(user.displayName), who is deactivated", code: 65)
                case .noSuchPerson, .newStudent: OperatorServices.fail("no roster person matches the link attribute", code: 65)
                }
            }
        }
    }

    /// A school's directory, or a failure naming what is missing.
    static func directory(of school: String, _ services: SiteServices) throws -> SignInDirectory {
        guard let found = try services.upstream.store.school(sourcedID: school) else {
            OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
        }
        guard let directory = try services.directories.store.signInDirectory(of: found.id) else {
            OperatorServices.fail("\(school) has no directory", code: 65)
        }
        return directory
    }
}
