import Domain
import Foundation

extension MariaSyncTargetStore {
    /// Carries an app's reviewed OpenID Connect settings into main: its logout registration into
    /// `oauth_client_logout` and `oauth_client_post_logout_redirect_uris` (main 0042, what `catalystwells client logout`
    /// writes) and `id_token_signed_response_alg` (main 0046); `true` when something changed. Read first, so an
    /// unchanged app writes nothing (sync is idempotent). The reviewed value replaces whatever an operator had set.
    static func replaceOpenIDSettings(_ settings: ApplicationOpenIDSettings, clientPK: Int64, in tx: Transaction) throws -> Bool {
        let row = try tx.query(
            """
            SELECT c.id_token_signed_response_alg, l.backchannel_logout_uri, l.backchannel_logout_session_required
            FROM oauth_clients c LEFT JOIN oauth_client_logout l ON l.client_pk = c.id WHERE c.id = \(clientPK)
            """
        ).first
        let uris = try tx.query("SELECT uri FROM oauth_client_post_logout_redirect_uris WHERE client_pk = \(clientPK) ORDER BY position")
            .compactMap { $0.string("uri") }
        let stored = ClientLogoutRegistration(
            postLogoutRedirectURIs: uris, backchannelLogoutURI: row?.string("backchannel_logout_uri"),
            backchannelLogoutSessionRequired: row?.flag("backchannel_logout_session_required") ?? false)
        var changed = false
        if row?.idTokenSigningAlgorithm() != settings.idTokenSigningAlgorithm {
            try tx.execute(
                "UPDATE oauth_clients SET id_token_signed_response_alg = \(settings.idTokenSigningAlgorithm.rawValue) WHERE id = \(clientPK)")
            changed = true
        }
        let registration = settings.logout
        guard stored != registration else { return changed }
        // Checked in the form and again here: the developers database alone must not be able to register a bad URI.
        guard registration.problems().isEmpty else {
            throw StoreError(.constraint, detail: "sync: logout registration: \(registration.problems().map(\.english).joined(separator: " "))")
        }
        try MariaLogoutStore.replaceRegistration(of: clientPK, with: registration, in: tx)
        return true
    }
}
