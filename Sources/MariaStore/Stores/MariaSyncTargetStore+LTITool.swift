import Domain
import Foundation

extension MariaSyncTargetStore {
    /// Carries an app's reviewed LTI tool registration into main's `lti_tools` and `lti_tool_redirect_uris` (main 0051;
    /// its Deep Linking URL, main 0054), or removes it when the live version is not a tool; `true` when something
    /// changed. Read first, so an unchanged app writes nothing (sync is idempotent).
    static func replaceLTITool(_ settings: LTIToolSettings?, clientPK: Int64, in tx: Transaction) throws -> Bool {
        let row = try tx.query("SELECT login_initiation_url, target_link_uri, deep_linking_url FROM lti_tools WHERE client_pk = \(clientPK)")
            .first
        let stored = try row.map { row in
            LTIToolSettings(
                loginInitiationURL: row.string("login_initiation_url") ?? "", targetLinkURI: row.string("target_link_uri") ?? "",
                redirectURIs: try tx.query("SELECT uri FROM lti_tool_redirect_uris WHERE client_pk = \(clientPK) ORDER BY position")
                    .compactMap { $0.string("uri") }, deepLinkingURL: row.string("deep_linking_url") ?? "")
        }
        guard stored != settings else { return false }
        guard let settings else {
            try tx.execute("DELETE FROM lti_tools WHERE client_pk = \(clientPK)")
            return true
        }
        // Checked in the form and again here: the developers database alone must not be able to register a bad address.
        let addresses =
            [settings.loginInitiationURL, settings.targetLinkURI] + settings.redirectURIs
            + (settings.supportsDeepLinking ? [settings.deepLinkingURL] : [])
        guard addresses.allSatisfy({ ApplicationForm.redirectURIProblem($0) == nil }), !settings.redirectURIs.isEmpty,
            ApplicationForm.redirectURIsProblem(settings.redirectURIs) == nil
        else { throw StoreError(.constraint, detail: "sync: LTI tool registration with an unacceptable address") }
        try tx.execute(
            """
            INSERT INTO lti_tools (client_pk, login_initiation_url, target_link_uri, deep_linking_url)
            VALUES (\(clientPK), \(settings.loginInitiationURL), \(settings.targetLinkURI),
              \(settings.supportsDeepLinking ? settings.deepLinkingURL : nil))
            ON DUPLICATE KEY UPDATE login_initiation_url = VALUES(login_initiation_url), target_link_uri = VALUES(target_link_uri),
              deep_linking_url = VALUES(deep_linking_url)
            """)
        try tx.execute("DELETE FROM lti_tool_redirect_uris WHERE client_pk = \(clientPK)")
        for (position, uri) in settings.redirectURIs.enumerated() {
            try tx.execute("INSERT INTO lti_tool_redirect_uris (client_pk, position, uri) VALUES (\(clientPK), \(position), \(uri))")
        }
        return true
    }
}
