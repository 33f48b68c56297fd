import Domain
import Foundation

extension MariaSyncTargetStore {
    /// Carries an app's reviewed client authentication (private_key_jwt keys, PAR requirement; main 0040's columns)
    /// into its client row; `true` when it changed. Read first, so an unchanged app writes nothing (sync is idempotent).
    static func replaceClientAuthentication(of client: OAuthClient, clientPK: Int64, in tx: Transaction) throws -> Bool {
        let row = try tx.query(
            """
            SELECT token_endpoint_auth_method, jwks, jwks_uri, require_pushed_authorization_requests FROM oauth_clients
            WHERE id = \(clientPK)
            """
        ).first
        guard
            row?.clientKeyRegistration() != client.privateKeyJWT
                || row?.flag("require_pushed_authorization_requests") != client.requiresPushedAuthorizationRequests
        else { return false }
        try tx.execute(MariaClientStore.authenticationUpdate(client, id: clientPK))
        return true
    }
}
