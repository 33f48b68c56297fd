import Foundation
import MariaStore
import Testing

@testable import FCGIApp

/// `[database] hosts`, `tls_ca_file` and `wsrep_sync_wait` (issue 18): parsed once, with errors that name the key,
/// the value and the line, and carried into every connection's options.
@Suite struct DatabaseOptionsTests {
    private func load(_ text: String) throws -> Configuration {
        let path = NSTemporaryDirectory() + "cw-config-\(UUID().uuidString).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader.load(path: path, environment: [:])
    }

    private func messages(_ text: String) -> [String] {
        do {
            _ = try load(text)
            return []
        } catch let error as ConfigError {
            return error.messages
        } catch {
            return ["\(error)"]
        }
    }

    @Test func byDefaultThereIsOneServerNoTLSAndTheServersSyncWait() throws {
        let options = try load("").connectionOptions(for: .app)
        #expect(options.servers.isEmpty && options.tlsCAFile.isEmpty && options.syncWait == nil)
        #expect(options.socket == "/run/mysqld/mysqld.sock")
    }

    @Test func aHostListTLSAndSyncWaitReachEveryAccountsOptions() throws {
        let ca = NSTemporaryDirectory() + "cw-db-ca-\(UUID().uuidString).pem"
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: ca, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: ca) }
        let configuration = try load(
            "[database]\nhosts = db1.school.example:3307, db2.school.example, [2001:db8::7]:3306\ntls_ca_file = \(ca)\nwsrep_sync_wait = 1\n")
        for options in [configuration.connectionOptions(for: .developers), configuration.connectionOptions(role: .migrator, database: "x")] {
            #expect(
                options.servers == [
                    DatabaseServer(host: "db1.school.example", port: 3307), DatabaseServer(host: "db2.school.example", port: 3306),
                    DatabaseServer(host: "2001:db8::7", port: 3306),
                ])
            #expect(options.tlsCAFile == ca && options.syncWait == 1)
        }
        #expect(configuration.connectionOptions(for: .app).description.hasSuffix("db2.school.example:3306,[2001:db8::7]:3306/catalyst_main (TLS)"))
    }

    @Test(arguments: [
        "db1:0", "db1:65536", "db1:port", "db1:3306,", ",db1", "db 1:3306", "[2001:db8::7", "[db1]:3306", "-db1", "db1:3306:3307",
    ])
    func aMalformedHostListNamesTheKeyAndTheLine(hosts: String) {
        let found = messages("[database]\nhosts = \(hosts)\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("database.hosts must be 1 to 16 servers as host:port") == true)
        #expect(found.first?.hasSuffix(":2)") == true)
    }

    @Test func aCAFileMustBeAnAbsoluteReadablePathAndSyncWaitASmallNumber() {
        #expect(messages("[database]\ntls_ca_file = ca.pem\n").first?.hasPrefix("database.tls_ca_file must be an absolute path") == true)
        #expect(messages("[database]\ntls_ca_file = /nonexistent/ca.pem\n").first?.hasPrefix("database.tls_ca_file cannot be read") == true)
        #expect(
            messages("[database]\nwsrep_sync_wait = 16\n").first?.hasPrefix("database.wsrep_sync_wait must be a whole number from 0 to 15") == true)
        #expect(messages("[database]\nwsrep_sync_wait = 0\n") == [])
    }

    /// The other issue 18 keys: `/internal/`'s allow-list and the signing-key publication delay.
    @Test func theInternalAllowListAndTheKeyPublishDelayAreRead() throws {
        let defaults = try load("")
        #expect(defaults.internalAllowList == .loopback && defaults.oauth.keyPublishDelay == 600)
        let configured = try load("[cron]\nallowed_addresses = 127.0.0.1, 10.0.3.0/24\n[oauth]\nkey_publish_delay_seconds = 0\n")
        #expect(configured.internalAllowList.permits("10.0.3.9") && configured.oauth.keyPublishDelay == 0)
        #expect(
            messages("[cron]\nallowed_addresses = 10.0.3.0/33\n").first?.hasPrefix("cron.allowed_addresses must be addresses or networks") == true)
        #expect(messages("[cron]\nallowed_addresses = 10.0.3.0/33\n").first?.hasSuffix(":2)") == true)
        #expect(messages("[oauth]\nkey_publish_delay_seconds = -1\n").first?.hasPrefix("oauth.key_publish_delay_seconds") == true)
    }
}
