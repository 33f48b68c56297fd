import Domain
import Foundation

extension MariaSyncTargetStore {
    /// Carries an app's reviewed client authentication (private_key_jwt keys, PAR requirement; main 0040's columns;
    /// the DPoP requirement, main 0037's `dpop_bound_access_tokens`) into its client row; `true` when it changed. Read
    /// first, so an unchanged app writes nothing (sync is idempotent). A public client's DPoP requirement is only ever
    /// turned on here: public clients created since DPoP have it from their first sync, and an older one keeps bearer
    /// tokens unless its developer asks (turning it on silently would break its sign-ins).
    static func replaceClientAuthentication(of client: OAuthClient, clientPK: Int64, in tx: Transaction) throws -> Bool {
        let row = try tx.query(
            """
            SELECT token_endpoint_auth_method, jwks, jwks_uri, require_pushed_authorization_requests, dpop_bound_access_tokens
            FROM oauth_clients WHERE id = \(clientPK)
            """
        ).first
        var changed = false
        if row?.clientKeyRegistration() != client.privateKeyJWT
            || row?.flag("require_pushed_authorization_requests") != client.requiresPushedAuthorizationRequests
        {
            try tx.execute(MariaClientStore.authenticationUpdate(client, id: clientPK))
            changed = true
        }
        let bound = row?.flag("dpop_bound_access_tokens") ?? false
        let wanted = client.requiresDPoP || (client.kind == .public && bound)
        if wanted != bound {
            try tx.execute("UPDATE oauth_clients SET dpop_bound_access_tokens = \(wanted) WHERE id = \(clientPK)")
            changed = true
        }
        return changed
    }
}
