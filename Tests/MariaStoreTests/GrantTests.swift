import Domain
import Foundation
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

    /// Every privilege each pool's account holds, read from the server, as `schema.table` (or `schema.*`, or `*.*`)
    /// → the sorted privileges, column privileges as `UPDATE(a,b)`.
    static func grants(of user: String) throws -> [String: String] {
        let admin = MariaDatabase(options: try TestServer.adminOptions(database: "mysql"))
        let grantee = "'\(user)'@'localhost'"
        var found: [String: Set<String>] = [:]
        for row in try admin.query(
            "SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = \(grantee) AND PRIVILEGE_TYPE <> 'USAGE'")
        {
            found["*.*", default: []].insert(row.string("p") ?? "?")
        }
        for row in try admin.query(
            "SELECT TABLE_SCHEMA AS s, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = \(grantee)")
        {
            found["\(row.string("s") ?? "?").*", default: []].insert(row.string("p") ?? "?")
        }
        for row in try admin.query(
            "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PRIVILEGE_TYPE AS p FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = \(grantee)")
        {
            found["\(row.string("s") ?? "?").\(row.string("t") ?? "?")", default: []].insert(row.string("p") ?? "?")
        }
        var columns: [String: [String: [String]]] = [:]
        for row in try admin.query(
            """
            SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, PRIVILEGE_TYPE AS p FROM information_schema.COLUMN_PRIVILEGES
            WHERE GRANTEE = \(grantee)
            """)
        {
            columns["\(row.string("s") ?? "?").\(row.string("t") ?? "?")", default: [:]][row.string("p") ?? "?", default: []].append(
                row.string("c") ?? "?")
        }
        for (table, privileges) in columns {
            for (privilege, names) in privileges { found[table, default: []].insert("\(privilege)(\(names.sorted().joined(separator: ",")))") }
        }
        return found.mapValues { $0.sorted().joined(separator: " ") }
    }

    /// Issue 13, item 7: the developers pool's account holds exactly what the portal's code runs
    /// (`DEVELOPERS_GRANTS` in deploy/mariadb/bootstrap.sh) and nothing database-wide. A change to either list
    /// must be made to both, on purpose.
    @Test func theDevelopersAccountHoldsExactlyTheGrantsThePortalNeeds() throws {
        let d = "catalyst_developers."
        let expected: [String: String] = [
            d + "schema_migrations": "SELECT",
            d + "developers":
                "INSERT SELECT UPDATE(password_hash,preferred_language,state,totp_enabled_at,totp_last_used_step,totp_secret_sealed,updated_at)",
            d + "developer_sessions": "DELETE INSERT SELECT UPDATE(last_seen_at)",
            d + "developer_sign_in_throttle": "DELETE INSERT SELECT UPDATE",
            d + "developer_links": "DELETE INSERT SELECT UPDATE(used_at)",
            d + "mail_outbox": "DELETE INSERT SELECT UPDATE(attempts,last_error,next_attempt_at)",
            // The developers site's cron leases (webhooks, mail, purge; developers 0016): taken and renewed, never deleted.
            d + "leases": "INSERT SELECT UPDATE",
            d + "developer_recovery_codes": "DELETE INSERT SELECT UPDATE(used_at)",
            // Passkeys: a handle is made once; a key's counter, backup state and last use move; answered challenges
            // are purged.
            d + "developer_passkey_handles": "INSERT SELECT",
            d + "developer_passkeys": "DELETE INSERT SELECT UPDATE(backed_up,last_used_at,sign_count)",
            d + "developer_passkey_challenge_uses": "DELETE INSERT SELECT",
            d + "application_logos": "DELETE INSERT SELECT UPDATE(uploaded_at,uploaded_by)",
            d + "applications":
                "INSERT SELECT UPDATE(approved_at,change_client_authentication,change_client_type,change_data_declarations,change_description,change_homepage_url,change_logo_sha256,change_lti_tool,change_name,change_openid_settings,"
                + "change_privacy_policy_url,change_reason,change_redirect_uris,change_requested_scopes,change_stage,change_terms_url,"
                + "client_authentication,client_type,data_declarations,description,granted_scopes,homepage_url,logo_sha256,lti_tool,name,openid_settings,privacy_policy_url,reason,redirect_uris,"
                + "requested_scopes,status,sync_requested_at,terms_url,updated_at,version)",
            // Append-only: the review log.
            d + "application_transitions": "INSERT SELECT",
            // A credential is written once, with its digest, and only ever revoked afterwards.
            d + "application_client_secrets": "INSERT(application_id,created_at,created_by,secret_digest) SELECT UPDATE(revoked_at)",
            d + "api_keys": "INSERT(application_id,created_at,created_by,key_digest,name,scopes,visible_prefix) SELECT UPDATE(revoked_at)",
            // Teams (developers 0017): an app never moves to another organisation (no UPDATE of organisation_id).
            d + "organisations": "INSERT SELECT UPDATE(name,personal_of)",
            d + "organisation_members": "DELETE INSERT SELECT UPDATE(role)",
            d + "organisation_invitations": "INSERT SELECT UPDATE(accepted_at,accepted_by,cancelled_at,cancelled_by)",
            // Activity logs (developers 0020): append-only.
            d + "application_events": "INSERT SELECT",
            d + "organisation_events": "INSERT SELECT",
            d + "webhook_endpoints": "DELETE INSERT SELECT UPDATE(disabled_reason,enabled,events,failing_since,updated_at,url)",
            d + "webhook_deliveries": "INSERT SELECT UPDATE(attempts,last_response_status,latency_ms,next_attempt_at,status,updated_at)",
            d + "webhook_delivery_attempts": "INSERT SELECT",
            d + "application_daily_stats": "SELECT",
            d + "support_tickets": "INSERT SELECT UPDATE(status,updated_at)",
            d + "support_ticket_messages": "INSERT SELECT",
            d + "application_backchannel_logouts": "SELECT",
        ]
        let actual = try Self.grants(of: "catalyst_dev")
        for table in Set(expected.keys).union(actual.keys).sorted() {
            #expect(actual[table] == expected[table], "catalyst_dev on \(table)")
        }
    }

    /// The app pool's account (review panel, sync, operator commands): data rights on main, nothing on the
    /// developers database beyond its per-table list.
    @Test func theAppAccountHoldsExactlyItsGrants() throws {
        let d = "catalyst_developers."
        let expected: [String: String] = [
            "catalyst_main.*": "CREATE TEMPORARY TABLES DELETE EXECUTE INSERT LOCK TABLES SELECT UPDATE",
            d + "developers": "SELECT(company,created_at,email,id,name,preferred_language,state) UPDATE(state,updated_at)",
            d + "developer_sessions": "DELETE SELECT(developer_id)",
            d + "developer_account_transitions": "INSERT SELECT",
            d + "applications":
                "SELECT UPDATE(approved_at,change_client_authentication,change_client_type,change_data_declarations,change_description,change_homepage_url,change_logo_sha256,change_lti_tool,change_name,change_openid_settings,"
                + "change_privacy_policy_url,change_reason,change_redirect_uris,change_requested_scopes,change_stage,change_terms_url,"
                + "client_authentication,client_type,data_declarations,description,granted_scopes,homepage_url,logo_sha256,lti_tool,name,openid_settings,privacy_policy_url,reason,redirect_uris,"
                + "requested_scopes,status,sync_requested_at,terms_url,updated_at,version)",
            d + "application_transitions": "INSERT SELECT",
            d + "application_logos": "SELECT",
            d + "application_client_secrets": "SELECT UPDATE(attested_at,last_used_at)",
            d + "api_keys": "SELECT UPDATE(attested_at,last_used_at,request_count)",
            d + "webhook_endpoints": "SELECT(application_id,enabled,events,id)",
            d + "webhook_deliveries": "INSERT SELECT",
            d + "application_daily_stats": "INSERT SELECT UPDATE",
            d + "support_tickets": "SELECT UPDATE(status,updated_at)",
            d + "support_ticket_messages": "INSERT SELECT",
            // Sync writes an app's back-channel logout deliveries and deletes those older than main keeps.
            d + "application_backchannel_logouts": "DELETE INSERT SELECT UPDATE",
        ]
        let actual = try Self.grants(of: "catalyst_app")
        for table in Set(expected.keys).union(actual.keys).sorted() {
            #expect(actual[table] == expected[table], "catalyst_app on \(table)")
        }
    }

    /// What whoever takes the portal over could try with the pool's own account, refused by the server: confirm a
    /// credential, change a credential's digest or scopes, rewrite or erase the review log (directly or by
    /// deleting what it cascades from), read or write the suspension log, move an app to another owner or
    /// client id. Every statement names no row, so nothing changes if one were allowed.
    @Test func theDevelopersAccountIsRefusedWhatWouldLetItRewriteHistoryOrMintCredentials() throws {
        let developers = MariaDatabase(
            options: try TestServer.stackAccount("developers", user: "catalyst_dev", database: "catalyst_developers"))
        // What it needs still works.
        #expect(try developers.query("SELECT COUNT(*) AS n FROM application_transitions WHERE id = 0").first?.int("n") == 0)
        try developers.execute("UPDATE application_client_secrets SET revoked_at = NOW(6) WHERE id = 0")
        for statement: SQLQuery in [
            "UPDATE application_client_secrets SET attested_at = NOW(6) WHERE id = 0",
            "UPDATE application_client_secrets SET secret_digest = secret_digest WHERE id = 0",
            "UPDATE application_client_secrets SET application_id = application_id WHERE id = 0",
            "INSERT INTO application_client_secrets (application_id, secret_digest, created_at, attested_at) SELECT id, UNHEX(REPEAT('ab', 32)), NOW(6), NOW(6) FROM applications WHERE id = 0",
            "UPDATE api_keys SET scopes = scopes WHERE id = 0", "UPDATE api_keys SET key_digest = key_digest WHERE id = 0",
            "UPDATE api_keys SET attested_at = NOW(6) WHERE id = 0", "DELETE FROM api_keys WHERE id = 0",
            "DELETE FROM application_client_secrets WHERE id = 0",
            "UPDATE application_transitions SET reason = NULL WHERE id = 0", "DELETE FROM application_transitions WHERE id = 0",
            "DELETE FROM applications WHERE id = 0", "DELETE FROM developers WHERE id = 0",
            "UPDATE applications SET client_id = client_id WHERE id = 0", "UPDATE applications SET developer_id = developer_id WHERE id = 0",
            // Teams: no app moves to another organisation, and nobody rewrites who made a credential or an invitation.
            "UPDATE applications SET organisation_id = organisation_id WHERE id = 0",
            "UPDATE api_keys SET created_by = created_by WHERE id = 0", "DELETE FROM organisations WHERE id = 0",
            "UPDATE organisation_invitations SET token_digest = token_digest WHERE id = 0",
            "DELETE FROM organisation_invitations WHERE id = 0",
            // The activity logs are append-only: nobody rewrites or erases who did what.
            "UPDATE application_events SET detail = detail WHERE id = 0", "DELETE FROM application_events WHERE id = 0",
            "UPDATE organisation_events SET detail = detail WHERE id = 0", "DELETE FROM organisation_events WHERE id = 0",
            "SELECT COUNT(*) AS n FROM developer_account_transitions",
            "INSERT INTO developer_account_transitions (developer_id, from_state, to_state, actor_kind, actor_id, actor_name, occurred_at) SELECT id, 'active', 'active', 'platform_admin', 1, 'x', NOW(6) FROM developers WHERE id = 0",
            "UPDATE application_daily_stats SET api_requests = 0 WHERE application_id = 0",
            "DELETE FROM webhook_deliveries WHERE id = 0", "DELETE FROM webhook_delivery_attempts WHERE id = 0",
            "UPDATE webhook_endpoints SET secret_sealed = secret_sealed WHERE id = 0",
            // A reviewed logo's bytes stay what was reviewed.
            "UPDATE application_logos SET bytes = bytes WHERE sha256 = ''",
            "CREATE TABLE scratch (id INT)", "DROP TABLE application_transitions",
        ] {
            #expect {
                try developers.query(statement)
            } throws: { error in
                (error as? StoreError)?.kind == .denied
            }
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

    /// The panel's own store calls run under its account: a developer's contact with their saved language (issue 22)
    /// and the staff's ticket read and reply, which never touch the teams' tables the app pool has no grant on.
    @Test func theReviewPanelsDeveloperAndTicketCallsRunUnderTheAppAccount() throws {
        let app = MariaDatabase(options: try TestServer.stackAccount("app", user: "catalyst_app", database: "catalyst_developers"))
        #expect(try MariaApplicationStore(database: app).developerContact(DeveloperID(0)) == nil)
        #expect(try MariaApplicationStore(database: app).developerForStaff(DeveloperID(0)) == nil)
        let tickets = MariaSupportTicketStore(database: app)
        #expect(try tickets.ticketForStaff(TicketID(0)) == nil)
        #expect(try tickets.replyAsStaff(to: TicketID(0), authorName: "Support", body: "x", now: Date()) == false)
        _ = try tickets.ticketsForStaff()
    }
}
