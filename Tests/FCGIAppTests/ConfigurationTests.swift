import Foundation
import Testing

@testable import FCGIApp

@Suite struct ConfigurationTests {
    private func load(_ text: String, environment: [String: String] = [:]) throws -> Configuration {
        let path = NSTemporaryDirectory() + "cw-config-\(UUID().uuidString).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader.load(path: path, environment: environment)
    }

    private func messages(_ text: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(text, environment: environment)
            return []
        } catch let error as ConfigError {
            return error.messages
        } catch {
            return ["\(error)"]
        }
    }

    @Test func anEmptyFileGivesTheDocumentedDefaults() throws {
        let configuration = try load("")
        #expect(configuration.environment == .production)
        #expect(configuration.pool(.app).socket == "/run/catalystwells/app.sock")
        #expect(configuration.pool(.developers).workers == 2)
        #expect(configuration.mainDatabase == "catalyst_main")
        #expect(configuration.accounts[.developers]?.user == "catalyst_dev")
    }

    @Test func theAPISectionReadsTiersAndRefusesBadClientLists() throws {
        let configuration = try load("[api]\npartner_clients = study-buddy, tutor.app\npartner_rate_limit_per_minute = 9000\n")
        #expect(configuration.api.partnerClients == ["study-buddy", "tutor.app"])
        #expect(configuration.api.partnerRateLimitPerMinute == 9000)
        #expect(configuration.api.rateLimitPerMinute == 600 && configuration.api.accessLogRetention == 365 * 86400)
        #expect(messages("[api]\npartner_clients = a b\n").first?.hasPrefix("api.partner_clients") == true)
        #expect(messages("[api]\naccess_log_retention_days = 0\n").first?.hasPrefix("api.access_log_retention_days") == true)
    }

    @Test func fileValuesAndEnvironmentOverridesApply() throws {
        let configuration = try load(
            "[pool.app]\nworkers = 3\n# comment\n[database]\nsocket = /tmp/x.sock\n",
            environment: ["CATALYSTWELLS_POOL_APP_WORKERS": "5", "CATALYSTWELLS_DATABASE_MAIN_DATABASE": "school_main"])
        #expect(configuration.pool(.app).workers == 5)
        #expect(configuration.databaseSocket == "/tmp/x.sock")
        #expect(configuration.mainDatabase == "school_main")
    }

    @Test func anUnknownKeyIsNamedWithItsLine() {
        #expect(messages("[pool.app]\nworkers = 2\nworkerz = 3\n").first?.hasSuffix(":3: unknown key workerz in [pool.app]") == true)
    }

    @Test func anUnknownSectionIsNamed() {
        #expect(messages("[pool.ap]\n").first?.contains("unknown section [pool.ap]") == true)
    }

    @Test func aBadValueNamesTheKeyTheValueAndWhereItCameFrom() {
        let found = messages("[pool.developers]\nthreads = lots\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("pool.developers.threads must be a whole number from 1 to 256 (got 'lots')") == true)
        #expect(found.first?.hasSuffix(":2)") == true)
    }

    @Test func aBadEnvironmentOverrideNamesTheVariable() {
        let found = messages("", environment: ["CATALYSTWELLS_GENERAL_APP_URL": "ftp://x"])
        #expect(found.first?.contains("environment CATALYSTWELLS_GENERAL_APP_URL") == true)
    }

    @Test func everyProblemIsReportedAtOnce() {
        #expect(messages("[general]\nenvironment = staging\nlog_level = loud\n[database]\nport = 0\n").count == 3)
    }

    @Test func httpURLsAreOnlyForLocalhostOutsideProduction() {
        #expect(!messages("[general]\napp_url = http://app.localhost:8080\n").isEmpty)
        #expect(messages("[general]\nenvironment = development\napp_url = http://app.localhost:8080\n").isEmpty)
        #expect(!messages("[general]\nenvironment = development\napp_url = http://school.example\n").isEmpty)
    }

    @Test func bothDatabasesMustDiffer() {
        #expect(messages("[database]\nmain_database = one\ndevelopers_database = one\n").first?.contains("must differ") == true)
    }

    @Test func aMissingPasswordFileIsNamed() throws {
        var configuration = try load("[database.app]\npassword_file = /nonexistent/secret\n")
        #expect {
            try configuration.loadPassword(for: .app)
        } throws: { error in
            (error as? ConfigError)?.messages.first?.hasPrefix("database.app.password_file: cannot read /nonexistent/secret") == true
        }
    }

    @Test func theShippedExampleDocumentsEveryKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("deploy/catalystwells.conf.example"), encoding: .utf8)
        let parsed = try ConfigLoader.parse(example, fileName: "catalystwells.conf.example")
        for key in ConfigSchema.keys {
            #expect(parsed[key.path] != nil, "deploy/catalystwells.conf.example does not set \(key.path)")
        }
        _ = try ConfigLoader.validate(parsed)
    }

    @Test func theGeneratedExampleParsesBackToTheDefaults() throws {
        let parsed = try ConfigLoader.parse(ConfigSchema.exampleFile(), fileName: "generated")
        #expect(parsed.count == ConfigSchema.keys.count)
        for key in ConfigSchema.keys { #expect(parsed[key.path]?.value == key.defaultValue) }
    }

    @Test func webhooksGoToPublicAddressesWithTheSystemTrustStoreByDefault() throws {
        let configuration = try load("")
        #expect(configuration.webhooks.allowPrivateTargets == false)
        #expect(configuration.webhooks.caFile == nil)
        let test = try load("[webhooks]\nallow_private_targets = true\nca_file = /run/stack/tls/ca.pem\n")
        #expect(test.webhooks.allowPrivateTargets && test.webhooks.caFile == "/run/stack/tls/ca.pem")
    }

    @Test func webhookKeysAreChecked() {
        #expect(
            messages("[webhooks]\nallow_private_targets = yes\n").first?.hasPrefix("webhooks.allow_private_targets must be true or false") == true)
        #expect(messages("[webhooks]\nca_file = tls/ca.pem\n").first?.hasPrefix("webhooks.ca_file must be an absolute path") == true)
    }
}
