import Domain
import Foundation

extension PortalDocsPages {
    /// Pushed authorization requests (RFC 9126) and `private_key_jwt` (RFC 7523, OIDC Core §9). Every number comes from
    /// the rules the server runs (``PushedAuthorizationRequest``, ``ClientAssertionRules``, ``ClientKeySet``).
    static func parAndKeys(_ configuration: Configuration) -> HTML {
        let issuer = configuration.appURL.hasSuffix("/") ? String(configuration.appURL.dropLast()) : configuration.appURL
        let token = issuer + DiscoveryDocument.Path.token
        let par = issuer + DiscoveryDocument.Path.pushedAuthorization
        return """
            <h2>Signing in with a key instead of a secret</h2>
            <p>A confidential app can prove itself with a JWT signed by its own private key (<code>private_key_jwt</code>) instead of a
            client secret. On the app form choose <em>Signed assertions</em> and paste your public JWK Set (RSA keys of 2048 bits or
            more, or P-256 keys, each with a <code>kid</code>) or give the https URL where you publish it (<code>jwks_uri</code>: we fetch
            it again when an assertion names a <code>kid</code> we do not have, at most once a minute). The change is reviewed like a
            redirect URI. Client secrets then stop working for the app.</p>
            <p>Send <code>client_assertion_type=\(ClientAssertionRules.assertionType)</code> and <code>client_assertion</code> to the
            token, PAR, introspection and revocation endpoints. The JWT: <code>alg</code> \(ClientKeySet.algorithms.joined(separator: ", "))
            (never <code>none</code> or HMAC), <code>kid</code> of your key; claims <code>iss</code> and <code>sub</code> your
            <code>client_id</code>, <code>aud</code> <code>\(token)</code> or the issuer <code>\(issuer)</code>, <code>exp</code> at most
            \(Int(ClientAssertionRules.maximumLifetime)) seconds ahead, and a unique <code>jti</code>: an assertion is accepted once.
            Anything else is <code>401 invalid_client</code>. With Authlib (Python):</p>
            <pre><code>from authlib.integrations.requests_client import OAuth2Session
            from authlib.oauth2.rfc7523 import PrivateKeyJWT

            session = OAuth2Session(client_id, private_key_pem, token_endpoint_auth_method="private_key_jwt",
                                    revocation_endpoint_auth_method="private_key_jwt")
            # Authlib's default exp is an hour ahead; ask for a short one.
            session.register_client_auth_method(PrivateKeyJWT("\(token)", claims={"exp": int(time.time()) + 60}))
            token = session.fetch_token("\(token)", grant_type="client_credentials")</code></pre>
            <p>(Authlib reuses a <code>claims</code> dict, <code>jti</code> included, so build a new <code>PrivateKeyJWT</code> per
            request or override its <code>sign</code> method.)</p>
            <h2>Pushed authorization requests</h2>
            <p>Instead of putting the authorization request in the browser's URL, POST it to <code>\(par)</code> (RFC 9126), authenticated
            as at the token endpoint (public apps send their <code>client_id</code>). It is checked exactly as the authorization endpoint
            would check it, PKCE and redirect URI included, and you get <code>201</code> with a one-time <code>request_uri</code> valid
            \(Int(PushedAuthorizationRequest.lifetime)) seconds. Then send the browser to
            <code>\(issuer + DiscoveryDocument.Path.authorization)?client_id=…&amp;request_uri=…</code>. The <code>request_uri</code> works
            once and only with your <code>client_id</code>. Tick <em>Accept sign-in requests only through PAR</em> on the app form to have
            every other authorization request refused.</p>
            <pre><code>POST /api/oauth/par HTTP/1.1
            Content-Type: application/x-www-form-urlencoded

            response_type=code&amp;client_id=…&amp;redirect_uri=…&amp;scope=openid&amp;state=…&amp;code_challenge=…&amp;code_challenge_method=S256
            &amp;client_assertion_type=\(ClientAssertionRules.assertionType)&amp;client_assertion=eyJ…

            HTTP/1.1 201 Created
            {"request_uri":"\(PushedAuthorizationRequest.requestURIPrefix)…","expires_in":\(Int(PushedAuthorizationRequest.lifetime))}</code></pre>
            <p>A refused push is <code>400</code> with the error the authorization endpoint would have given
            (<code>invalid_request</code>, <code>invalid_scope</code>, …); nothing is stored.</p>
            """
    }
}
