/// The privileges `deploy/mariadb/bootstrap.sh` gives each account (DESIGN §4), for `catalystwells doctor` to compare
/// with what the server says each account holds.
///
/// The table lists are copied verbatim from the script's `APP_DEVELOPERS_GRANTS` and `DEVELOPERS_GRANTS` (a test
/// reads the script and fails when they drift apart); ``normalize(_:)`` turns either side into one comparable form.
public enum DatabaseGrantPolicy {
    /// The app pool's privileges on the whole main database.
    public static let appMainDatabase = "SELECT, INSERT, UPDATE, DELETE, EXECUTE, CREATE TEMPORARY TABLES, LOCK TABLES"

    /// What the migration account needs at least on both databases (the script grants ALL PRIVILEGES).
    public static let migratorDatabaseMinimum = "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER, LOCK TABLES"

    /// The app pool's grants on developers-database tables: `table|privileges`, as in bootstrap.sh.
    public static let appDevelopersTables: [String] = [
        "developers|SELECT (id, name, email, company, state, created_at, preferred_language), UPDATE (state, updated_at)",
        "developer_sessions|SELECT (developer_id), DELETE",
        "developer_account_transitions|SELECT, INSERT",
        "applications|SELECT, UPDATE (status, reason, name, description, homepage_url, privacy_policy_url, terms_url, logo_sha256, redirect_uris, requested_scopes, client_type, granted_scopes, approved_at, change_stage, change_reason, change_name, change_description, change_homepage_url, change_privacy_policy_url, change_terms_url, change_logo_sha256, change_redirect_uris, change_requested_scopes, change_client_type, data_declarations, change_data_declarations, client_authentication, change_client_authentication, openid_settings, change_openid_settings, lti_tool, change_lti_tool, version, sync_requested_at, updated_at)",
        "application_transitions|SELECT, INSERT",
        "application_logos|SELECT",
        "application_client_secrets|SELECT, UPDATE (last_used_at, attested_at)",
        "api_keys|SELECT, UPDATE (last_used_at, request_count, attested_at)",
        "webhook_endpoints|SELECT (id, application_id, events, enabled)",
        "webhook_deliveries|SELECT, INSERT",
        "application_daily_stats|SELECT, INSERT, UPDATE",
        "support_tickets|SELECT, UPDATE (status, updated_at)",
        "support_ticket_messages|SELECT, INSERT",
        "application_backchannel_logouts|SELECT, INSERT, UPDATE, DELETE",
    ]

    /// The developers pool's grants, all on developers-database tables: `table|privileges`, as in bootstrap.sh.
    public static let developersTables: [String] = [
        "schema_migrations|SELECT",
        "developers|SELECT, INSERT, UPDATE (state, password_hash, totp_secret_sealed, totp_enabled_at, totp_last_used_step, preferred_language, updated_at)",
        "developer_sessions|SELECT, INSERT, UPDATE (last_seen_at), DELETE",
        "developer_sign_in_throttle|SELECT, INSERT, UPDATE, DELETE",
        "developer_links|SELECT, INSERT, UPDATE (used_at), DELETE",
        "mail_outbox|SELECT, INSERT, UPDATE (next_attempt_at, attempts, last_error), DELETE",
        "leases|SELECT, INSERT, UPDATE",
        "developer_recovery_codes|SELECT, INSERT, UPDATE (used_at), DELETE",
        "developer_passkey_handles|SELECT, INSERT",
        "developer_passkeys|SELECT, INSERT, UPDATE (sign_count, backed_up, last_used_at), DELETE",
        "developer_passkey_challenge_uses|SELECT, INSERT, DELETE",
        "application_logos|SELECT, INSERT, UPDATE (uploaded_at, uploaded_by), DELETE",
        "applications|SELECT, INSERT, UPDATE (status, reason, name, description, homepage_url, privacy_policy_url, terms_url, logo_sha256, redirect_uris, requested_scopes, client_type, granted_scopes, approved_at, change_stage, change_reason, change_name, change_description, change_homepage_url, change_privacy_policy_url, change_terms_url, change_logo_sha256, change_redirect_uris, change_requested_scopes, change_client_type, data_declarations, change_data_declarations, client_authentication, change_client_authentication, openid_settings, change_openid_settings, lti_tool, change_lti_tool, version, sync_requested_at, updated_at)",
        "application_transitions|SELECT, INSERT",
        "application_client_secrets|SELECT, INSERT (application_id, secret_digest, created_at, created_by), UPDATE (revoked_at)",
        "api_keys|SELECT, INSERT (application_id, name, visible_prefix, key_digest, scopes, created_at, created_by), UPDATE (revoked_at)",
        "organisations|SELECT, INSERT, UPDATE (name, personal_of)",
        "organisation_members|SELECT, INSERT, UPDATE (role), DELETE",
        "organisation_invitations|SELECT, INSERT, UPDATE (accepted_at, accepted_by, cancelled_at, cancelled_by)",
        "application_events|SELECT, INSERT",
        "organisation_events|SELECT, INSERT",
        "webhook_endpoints|SELECT, INSERT, UPDATE (url, events, enabled, disabled_reason, failing_since, updated_at), DELETE",
        "webhook_deliveries|SELECT, INSERT, UPDATE (status, attempts, last_response_status, latency_ms, next_attempt_at, updated_at)",
        "webhook_delivery_attempts|SELECT, INSERT",
        "application_daily_stats|SELECT",
        "support_tickets|SELECT, INSERT, UPDATE (status, updated_at)",
        "support_ticket_messages|SELECT, INSERT",
        "application_backchannel_logouts|SELECT",
    ]

    /// A privilege list in one canonical form: privileges sorted, upper-case, a column privilege as `UPDATE(a,b)` with
    /// its columns sorted, separated by `", "`. `"SELECT, UPDATE (b, a)"` → `"SELECT, UPDATE(a,b)"`.
    public static func normalize(_ privileges: String) -> String {
        var items: [String] = []
        var current = ""
        var depth = 0
        for character in privileges {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0:
                items.append(current)
                current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items.compactMap { item -> String? in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else { return trimmed.uppercased() }
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).uppercased()
            let columns = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.sorted()
            return "\(name)(\(columns.joined(separator: ",")))"
        }.sorted().joined(separator: ", ")
    }

    /// The `table → normalized privileges` map of a `table|privileges` list, for the tables that exist (the script
    /// grants only on existing tables).
    public static func tableGrants(_ list: [String], existing tables: Set<String>) -> [String: String] {
        var result: [String: String] = [:]
        for entry in list {
            let parts = entry.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2, tables.contains(parts[0]) else { continue }
            result[parts[0]] = normalize(parts[1])
        }
        return result
    }

    /// The privileges of a normalized list.
    public static func privileges(_ list: String?) -> [String] {
        (list ?? "").components(separatedBy: ", ").filter { !$0.isEmpty }
    }

    /// How an account's privileges differ from what it should hold: `object → (missing, extra)` in normalized words,
    /// only for objects that differ. Objects are `db.*`, `db.table` or `*.*`.
    public static func differences(expected: [String: String], actual: [String: String]) -> [(object: String, missing: [String], extra: [String])] {
        Set(expected.keys).union(actual.keys).sorted().compactMap { object in
            let want = Set(privileges(expected[object]))
            let have = Set(privileges(actual[object]))
            guard want != have else { return nil }
            return (object, want.subtracting(have).sorted(), have.subtracting(want).sorted())
        }
    }
}
