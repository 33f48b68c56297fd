import Domain
import Foundation

extension PortalDocsPages {
    /// Pushed authorization requests (RFC 9126) and `private_key_jwt` (RFC 7523, OIDC Core §9). Every number comes from
    /// the rules the server runs (``PushedAuthorizationRequest``, ``ClientAssertionRules``, ``ClientKeySet``).
    static func parAndKeys(_ configuration: Configuration) -> HTML {
        let issuer = configuration.appURL.hasSuffix("/") ? String(configuration.appURL.dropLast()) : configuration.appURL
        let token = issuer + DiscoveryDocument.Path.token
        let par = issuer + DiscoveryDocument.Path.pushedAuthorization
        let kid = code("kid")
        let clientID = code("client_id")
        let requestURI = code("request_uri")
        let separator: HTML = "\(L("portal.docs.list_separator"))"
        let algorithms = HTML(ClientKeySet.algorithms.enumerated().map { index, name in index == 0 ? code(name) : separator + code(name) })
        return """
            <h2>\(L("portal.docs.par.keys_heading"))</h2>
            <p>\(LH("portal.docs.par.keys", ["method": code("private_key_jwt"), "option": "<em>\(L("portal.docs.par.assertions_choice"))</em>", "kid": kid, "jwks_uri": code("jwks_uri")]))</p>
            <p>\(LH("portal.docs.par.assertion", ["type": code("client_assertion_type=\(ClientAssertionRules.assertionType)"), "assertion": code("client_assertion")]))
            \(LH("portal.docs.par.jwt", ["alg": code("alg"), "algorithms": algorithms, "none": code("none"), "kid": kid, "iss": code("iss"), "sub": code("sub"), "client_id": clientID, "aud": code("aud"), "token": code(token), "issuer": code(issuer), "exp": code("exp"), "seconds": "\(seconds(ClientAssertionRules.maximumLifetime))", "jti": code("jti")]))
            \(LH("portal.docs.par.refused", ["error": code("401 invalid_client")]))</p>
            <pre dir="ltr"><code>from authlib.integrations.requests_client import OAuth2Session
            from authlib.oauth2.rfc7523 import PrivateKeyJWT

            session = OAuth2Session(client_id, private_key_pem, token_endpoint_auth_method="private_key_jwt",
                                    revocation_endpoint_auth_method="private_key_jwt")
            # Authlib's default exp is an hour ahead; ask for a short one.
            session.register_client_auth_method(PrivateKeyJWT("\(token)", claims={"exp": int(time.time()) + 60}))
            token = session.fetch_token("\(token)", grant_type="client_credentials")</code></pre>
            <p>\(LH("portal.docs.par.authlib", ["claims": code("claims"), "jti": code("jti"), "class": code("PrivateKeyJWT"), "sign": code("sign")]))</p>
            <h2>\(L("portal.auth.par_title"))</h2>
            <p>\(LH("portal.docs.par.push", ["url": code(par), "client_id": clientID, "created": code("201"), "request_uri": requestURI, "seconds": "\(seconds(PushedAuthorizationRequest.lifetime))"]))
            \(LH("portal.docs.par.browser", ["url": code("\(issuer + DiscoveryDocument.Path.authorization)?client_id=…&request_uri=…"), "request_uri": requestURI, "client_id": clientID]))
            \(LH("portal.docs.par.only", ["option": "<em>\(LH("portal.auth.par", ["path": code(DiscoveryDocument.Path.pushedAuthorization)]))</em>"]))</p>
            <pre dir="ltr"><code>POST /api/oauth/par HTTP/1.1
            Content-Type: application/x-www-form-urlencoded

            response_type=code&amp;client_id=…&amp;redirect_uri=…&amp;scope=openid&amp;state=…&amp;code_challenge=…&amp;code_challenge_method=S256
            &amp;client_assertion_type=\(ClientAssertionRules.assertionType)&amp;client_assertion=eyJ…

            HTTP/1.1 201 Created
            {"request_uri":"\(PushedAuthorizationRequest.requestURIPrefix)…","expires_in":\(Int(PushedAuthorizationRequest.lifetime))}</code></pre>
            <p>\(LH("portal.docs.par.push_refused", ["status": code("400"), "request": code("invalid_request"), "scope": code("invalid_scope")]))</p>
            """
    }
}
