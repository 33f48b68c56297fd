import ArgumentParser
import Domain
import Foundation

/// `catalystwells upstream …`: the operator's side of sign-in with the school's own accounts (what a school admin
/// also does on `/school/sign-in`, and the only way to set up a platform-wide provider).
struct UpstreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstream",
        abstract: "Manage sign-in with upstream providers: OpenID (Google Workspace, Microsoft Entra ID, others) and SAML 2.0.",
        subcommands: [Add.self, AddSAML.self, List.self, Remove.self, Policy.self, Domains.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an upstream provider, or replace the one with the same slug (its links are kept).",
            discussion: """
                Register the redirect URI <app_url>/login/upstream/callback at the provider, with the scopes openid email \
                profile. Google Workspace: --kind google --domain <your domain>. Microsoft Entra ID: --kind entra \
                --tenant <tenant id> --link username (or sourced-id) --link-claim <claim>. Any other provider: --kind \
                generic --issuer <issuer URL>. The client secret is read from a file (or standard input with \
                --client-secret-file -) and stored sealed; it is never printed.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId (its people may use the provider).") var school: String?
        @Flag(help: "A platform-wide provider: every school's people may use it.") var platform = false
        @Option(help: "The provider's short name in URLs: 1-40 of a-z 0-9 -.") var slug: String
        @Option(help: "The button says \"Continue with <name>\".") var name: String
        @Option(help: "generic, google or entra.") var kind = "generic"
        @Option(name: .customLong("client-id"), help: "Our client id at the provider.") var clientID: String
        @Option(name: .customLong("client-secret-file"), help: "A file holding the client secret (first line), or - for standard input.")
        var clientSecretFile: String
        @Option(help: "generic: the provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration).") var issuer = ""
        @Option(help: "google/entra: another authority than Google's or Microsoft's own (test providers).") var authority = ""
        @Option(name: .customLong("domain"), help: "google: a Workspace domain accepted through hd (repeatable).") var domains: [String] = []
        @Option(name: .customLong("tenant"), help: "entra: a tenant id accepted through tid (repeatable).") var tenants: [String] = []
        @Option(help: "How a first sign-in finds the roster person: email, sourced-id or username.") var link = "email"
        @Option(name: .customLong("link-claim"), help: "The upstream claim compared for sourced-id and username (default preferred_username).")
        var linkClaim = ""
        @Flag(name: .customLong("jit-students"), help: "Create a student for an account that matches nobody (school providers only).")
        var jitStudents = false
        @Flag(help: "Store the provider switched off.") var disabled = false

        func run() throws {
            guard (school == nil) != !platform else { OperatorServices.fail("give --school <sourcedId> or --platform (one of them)", code: 64) }
            let secret = readSecret()
            let services = try OperatorServices.open(options)
            guard let keys = services.oauth.keys else { OperatorServices.fail("oauth.key_file is needed to seal the client secret", code: 78) }
            let store = services.upstream.store
            var schoolID: SchoolID?
            if let school {
                guard let found = try store.school(sourcedID: school) else {
                    OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
                }
                schoolID = found.id
            }
            var settings = UpstreamProviderSettings()
            settings.slug = slug
            settings.name = name
            settings.kind = kind
            settings.clientID = clientID
            settings.clientSecret = secret
            settings.issuer = issuer
            settings.authority = authority
            settings.domains = domains
            settings.tenants = tenants
            settings.linkRule = link
            settings.linkClaim = linkClaim
            settings.jitStudents = jitStudents
            settings.enabled = !disabled
            var generator = SystemRandomNumberGenerator()
            let provider: NewUpstreamProvider
            do {
                provider = try settings.validated(school: schoolID, key: keys.upstreamSecretKey, allowLoopbackHTTP: false, using: &generator)
            } catch {
                let flag =
                    [
                        "client_id": "client-id", "client_secret": "client-secret-file", "link_rule": "link", "link_claim": "link-claim",
                        "jit_students": "jit-students", "domains": "domain", "tenants": "tenant",
                    ][error.field] ?? error.field
                OperatorServices.fail("--\(flag): \(error.message)", code: 64)
            }
            let existing = try store.upstreamProvider(slug: provider.slug)
            _ = try store.saveUpstreamProvider(provider, now: services.clock())
            try UpstreamCommand.audit(
                .upstreamProviderChanged, services, school: schoolID,
                detail: "saved \(provider.slug) (\(kind), client \(provider.clientID), \(provider.linkRule.summary)) from the command line")
            print(
                "\(existing == nil ? "added" : "updated") upstream provider \(provider.slug) (\(kind)) for \(school.map { "school \($0)" } ?? "every school")"
            )
            print("redirect_uri:  \(UpstreamCommand.redirectURI(services))")
            print("issuer:        \(provider.kind.discoveryIssuer(authority: provider.authority))")
            if let school { print("sign-in link:  \(services.configuration.appURL)/login?school=\(FormCodec.encode(school))") }
        }

        private func readSecret() -> String {
            let text: String?
            if clientSecretFile == "-" {
                text = readLine(strippingNewline: true)
            } else {
                text = (try? String(contentsOfFile: clientSecretFile, encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false)
                    .first
                    .map(String.init)
            }
            guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                OperatorServices.fail("--client-secret-file: \(clientSecretFile) holds no secret (or cannot be read)", code: 66)
            }
            return text.trimmingCharacters(in: .whitespaces)
        }
    }

    struct AddSAML: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-saml",
            abstract: "Add a SAML 2.0 identity provider, or replace the one with the same slug (its links and our key pair are kept).",
            discussion: """
                The identity provider's metadata is read from --metadata-url (https, fetched now) or --metadata-file. Give                 the provider our metadata in return: <app_url>/login/saml/<slug>/metadata (our entity id is that URL; the                 assertion consumer service, HTTP-POST, is <app_url>/login/saml/<slug>/acs). --signing says which signatures                 are required (default either: the assertion, or the response holding it). The first sign-in finds the roster                 person by --link email (the NameID in emailAddress format, or a mail attribute), sourced-id or username                 (--link-attribute, an attribute Name or FriendlyName, default the NameID itself).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId (its people may use the provider).") var school: String?
        @Flag(help: "A platform-wide provider: every school's people may use it.") var platform = false
        @Option(help: "The provider's short name in URLs: 1-40 of a-z 0-9 -.") var slug: String
        @Option(help: "The button says \"Continue with <name>\".") var name: String
        @Option(name: .customLong("metadata-url"), help: "The identity provider's metadata URL (https).") var metadataURL: String?
        @Option(name: .customLong("metadata-file"), help: "A file holding the identity provider's metadata.") var metadataFile: String?
        @Option(name: .customLong("entity-id"), help: "Which identity provider, when the metadata describes several.") var entityID: String?
        @Option(help: "Required signatures: either, assertion, response or both.") var signing = "either"
        @Option(name: .customLong("name-id-format"), help: "The NameID format asked for: persistent, email or unspecified (default: the IdP's).")
        var nameIDFormat = ""
        @Option(help: "How a first sign-in finds the roster person: email, sourced-id or username.") var link = "email"
        @Option(name: .customLong("link-attribute"), help: "The attribute compared for sourced-id and username (default: the NameID).")
        var linkAttribute = ""
        @Flag(name: .customLong("jit-students"), help: "Create a student for an account that matches nobody (school providers only).")
        var jitStudents = false
        @Flag(help: "Store the provider switched off.") var disabled = false

        func run() throws {
            guard (school == nil) != !platform else { OperatorServices.fail("give --school <sourcedId> or --platform (one of them)", code: 64) }
            guard (metadataURL == nil) != (metadataFile == nil) else {
                OperatorServices.fail("give --metadata-url or --metadata-file (one of them)", code: 64)
            }
            var source = SAMLProviderSetup.MetadataSource.url(metadataURL ?? "")
            if let metadataFile {
                guard let data = FileManager.default.contents(atPath: metadataFile) else {
                    OperatorServices.fail("--metadata-file: \(metadataFile) cannot be read", code: 66)
                }
                source = .document(Array(data))
            }
            let services = try OperatorServices.open(options)
            guard let keys = services.oauth.keys else { OperatorServices.fail("oauth.key_file is needed to seal our SAML key", code: 78) }
            var schoolID: SchoolID?
            if let school {
                guard let found = try services.upstream.store.school(sourcedID: school) else {
                    OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
                }
                schoolID = found.id
            }
            var settings = SAMLProviderSettings()
            settings.slug = slug
            settings.name = name
            settings.signing = signing
            settings.nameIDFormat = nameIDFormat
            settings.linkRule = link
            settings.linkAttribute = linkAttribute
            settings.jitStudents = jitStudents
            settings.enabled = !disabled
            switch try SAMLProviderSetup.save(
                settings, school: schoolID, source: source, entityID: entityID, services: services.upstream, keys: keys,
                appURL: services.configuration.appURL, now: services.clock())
            {
            case .failure(let problem):
                let flag =
                    [
                        "metadata": metadataURL == nil ? "metadata-file" : "metadata-url", "name_id_format": "name-id-format", "link_rule": "link",
                        "link_attribute": "link-attribute", "jit_students": "jit-students",
                    ][problem.field] ?? problem.field.replacingOccurrences(of: "_", with: "-")
                OperatorServices.fail("--\(flag): \(problem.message)", code: 65)
            case .success(let saved):
                try UpstreamCommand.audit(
                    .upstreamProviderChanged, services, school: schoolID,
                    detail: "saved \(slug) (saml, idp \(saved.metadata.entityID), \(saved.provider.linkRule.summary)) from the command line")
                print("\(saved.replaced ? "updated" : "added") SAML provider \(slug) for \(school.map { "school \($0)" } ?? "every school")")
                print("idp entity id: \(saved.metadata.entityID)")
                print("idp sso url:   \(saved.metadata.singleSignOnURL)")
                print("our metadata:  \(saved.serviceProvider.entityID)  (also our entity id)")
                print("our acs:       \(saved.serviceProvider.assertionConsumerURL)")
                if let school { print("sign-in link:  \(services.configuration.appURL)/login?school=\(FormCodec.encode(school))") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the upstream providers.")
        @OptionGroup var options: ConfigOptions

        func run() throws {
            let services = try OperatorServices.open(options)
            let providers = try services.upstream.store.upstreamProviders()
            if providers.isEmpty { print("no upstream providers") }
            for provider in providers {
                let school = try provider.schoolID.flatMap { try services.upstream.store.schoolSourcedID($0) } ?? "platform"
                let kind =
                    switch provider.kind {
                    case .google: "google"
                    case .entra: "entra"
                    case .generic: "generic"
                    case .saml: "saml"
                    }
                print("\(provider.slug)\t\(kind)\t\(school)\t\(provider.enabled ? "on" : "off")\t\(provider.name)\t\(provider.discoveryIssuer)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an upstream provider and every link to its accounts.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The provider's slug.") var slug: String

        func run() throws {
            let services = try OperatorServices.open(options)
            let school = try services.upstream.store.upstreamProvider(slug: slug)?.schoolID
            guard try services.upstream.store.removeUpstreamProvider(slug: slug) else {
                OperatorServices.fail("--slug: there is no provider \(slug)", code: 65)
            }
            try UpstreamCommand.audit(.upstreamProviderChanged, services, school: school, detail: "removed \(slug) from the command line")
            print("removed upstream provider \(slug) and its links")
        }
    }

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set which roles of a school may still sign in with a password.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String
        @Option(
            name: .customLong("password-roles"),
            help: "Comma-separated roles that keep password sign-in: student, teacher, parent, school_admin (empty: none).")
        var passwordRoles: String

        func run() throws {
            var roles: Set<Role> = []
            for name in passwordRoles.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let role = Role(rawValue: name), SchoolSignInPolicy.restrictableRoles.contains(role) else {
                    OperatorServices.fail("--password-roles: \(name) is not one of student, teacher, parent, school_admin", code: 64)
                }
                roles.insert(role)
            }
            let services = try OperatorServices.open(options)
            guard let found = try services.upstream.store.school(sourcedID: school) else {
                OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
            }
            try services.upstream.store.setSignInPolicy(SchoolSignInPolicy(passwordRoles: roles), of: found.id, now: services.clock())
            let list = SchoolSignInPolicy.restrictableRoles.filter { roles.contains($0) }.map(\.rawValue)
            try UpstreamCommand.audit(
                .signInPolicyChanged, services, school: found.id,
                detail: "password sign-in: \(list.isEmpty ? "nobody" : list.joined(separator: ", ")) (command line)")
            print("password sign-in at \(school): \(list.isEmpty ? "nobody" : list.joined(separator: ", "))")
        }
    }

    struct Domains: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the email domains that lead to a school's providers.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "The school's roster sourcedId.") var school: String
        @Option(help: "Comma-separated domains (empty clears them).") var set: String

        func run() throws {
            var domains: [String] = []
            if !set.trimmingCharacters(in: .whitespaces).isEmpty {
                do {
                    domains = try UpstreamProviderSettings.domainNames(set)
                } catch {
                    OperatorServices.fail("--set: \(error.message)", code: 64)
                }
            }
            let services = try OperatorServices.open(options)
            guard let found = try services.upstream.store.school(sourcedID: school) else {
                OperatorServices.fail("--school: no school has the sourcedId \(school)", code: 65)
            }
            do {
                try services.upstream.store.setEmailDomains(domains, of: found.id)
            } catch let error as StoreError where error.kind == .conflict {
                OperatorServices.fail("--set: another school has already claimed one of these domains", code: 65)
            }
            try UpstreamCommand.audit(.emailDomainsChanged, services, school: found.id, detail: domains.joined(separator: ", ") + " (command line)")
            print("email domains of \(school): \(domains.isEmpty ? "none" : domains.joined(separator: ", "))")
        }
    }

    /// An audit entry for an operator's change (no person acted through the site).
    static func audit(_ event: SecurityEvent, _ services: SiteServices, school: SchoolID?, detail: String) throws {
        try services.audit.append(
            SecurityAuditEntry(occurredAt: services.clock(), event: event, school: school, actor: nil, subject: nil, method: "cli", detail: detail))
    }

    /// The redirect URI to register at every provider.
    static func redirectURI(_ services: SiteServices) -> String {
        let base = services.configuration.appURL
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + UpstreamSignInRoutes.callbackPath
    }
}
