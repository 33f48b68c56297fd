import Domain
import Testing

@testable import MariaStore

/// The accounts `deploy/mariadb/bootstrap.sh` creates, checked on the test stack's own databases (DESIGN §4):
/// a breach of the developer portal must not reach student data.
@Suite struct GrantTests {
    init() { MariaClient.initializeLibrary() }

    @Test func theDevelopersAccountCannotReadTheMainDatabase() throws {
        let developers = MariaDatabase(
            options: try TestServer.stackAccount("developers", user: "catalyst_dev", database: "catalyst_developers"))
        #expect(try developers.query("SELECT MAX(version) AS v FROM schema_migrations").first?.int("v") != nil)
        #expect {
            try developers.query("SELECT version FROM catalyst_main.schema_migrations")
        } throws: { error in
            (error as? StoreError)?.kind == .denied
        }
    }

    @Test func theDevelopersAccountCannotEvenConnectToTheMainDatabase() throws {
        let developers = MariaDatabase(
            options: try TestServer.stackAccount("developers", user: "catalyst_dev", database: "catalyst_main"))
        #expect {
            try developers.query("SELECT 1 AS one")
        } throws: { error in
            (error as? StoreError)?.code == 1044
        }
    }

    @Test func theAppAccountReadsMainButCannotChangeTheSchema() throws {
        let app = MariaDatabase(options: try TestServer.stackAccount("app", user: "catalyst_app", database: "catalyst_main"))
        #expect(try app.query("SELECT MAX(version) AS v FROM schema_migrations").first?.int("v") != nil)
        #expect {
            try app.execute("DROP TABLE schema_migrations")
        } throws: { error in
            (error as? StoreError)?.kind == .denied
        }
    }

    @Test func theAppAccountReadsSubmissionsButNoDeveloperSecrets() throws {
        let app = MariaDatabase(options: try TestServer.stackAccount("app", user: "catalyst_app", database: "catalyst_developers"))
        #expect(try app.query("SELECT COUNT(*) AS n FROM applications").first?.int("n") != nil)
        #expect(try app.query("SELECT id, name, email FROM developers LIMIT 1").count <= 1)
        // The review panel suspends and reinstates accounts, ending their sessions, and nothing more.
        try app.execute("UPDATE developers SET state = 'active', updated_at = NOW(6) WHERE id = 0 AND state = 'suspended'")
        try app.execute("DELETE FROM developer_sessions WHERE developer_id = 0")
        #expect(try app.query("SELECT COUNT(*) AS n FROM developer_account_transitions").first?.int("n") != nil)
        for statement: SQLQuery in [
            "SELECT password_hash FROM developers LIMIT 1", "SELECT totp_secret_sealed FROM developers LIMIT 1",
            "SELECT secret_sealed FROM webhook_endpoints LIMIT 1", "SELECT * FROM developer_sessions LIMIT 1",
            "DELETE FROM applications WHERE id = 0", "UPDATE developers SET name = name WHERE id = 0",
            "SELECT token_digest FROM developer_sessions LIMIT 1", "UPDATE developers SET password_hash = password_hash WHERE id = 0",
            "UPDATE developer_sessions SET expires_at = expires_at WHERE developer_id = 0",
            // The account log is append-only for the panel.
            "DELETE FROM developer_account_transitions WHERE id = 0", "UPDATE developer_account_transitions SET reason = NULL WHERE id = 0",
        ] {
            #expect {
                try app.query(statement)
            } throws: { error in
                (error as? StoreError)?.kind == .denied
            }
        }
    }
}
