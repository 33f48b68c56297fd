import Domain
import Foundation

/// The portal's landing page and public integration docs. Everything a number or a name in
/// them comes from is what the server itself runs with: the scope registry, the configured token
/// lifetimes and URLs, the webhook event list and the signature code, so the docs cannot drift.
enum PortalDocsPages {
    /// The doc topics, in reading order: path segment and title.
    static var topics: [(slug: String, title: String)] {
        [
            ("getting-started", L("portal.docs.topic.getting_started")),
            ("oauth", L("portal.docs.topic.oauth")),
            ("scopes", L("portal.docs.topic.scopes")),
            ("tokens", L("portal.docs.topic.tokens")),
            ("dpop", L("portal.docs.topic.dpop")),
            ("logout", L("portal.docs.topic.logout")),
            ("par-and-keys", L("portal.docs.topic.par")),
            ("errors", L("portal.docs.topic.errors")),
            ("webhooks", L("portal.docs.topic.webhooks")),
            ("limits", L("portal.docs.topic.limits")),
            ("teams", L("portal.docs.topic.teams")),
            ("terms", L("portal.docs.topic.terms")),
        ]
    }

    static func landing() -> HTML {
        PortalLayout.page(
            title: L("portal.docs.landing.title"), session: nil,
            """
            <h1>\(L("portal.docs.landing.heading"))</h1>
            <p class="lead">\(L("portal.docs.landing.lead"))</p>
            <ul class="features">
            <li><strong>\(L("portal.docs.landing.signin"))</strong> \(L("portal.docs.landing.signin_text"))</li>
            <li><strong>\(L("portal.docs.landing.scoped"))</strong> \(L("portal.docs.landing.scoped_text", count: ScopeRegistry.standard.definitions.count))</li>
            <li><strong>\(L("portal.docs.landing.api"))</strong> \(L("portal.docs.landing.api_text"))</li>
            <li><strong>\(L("portal.docs.landing.webhooks"))</strong> \(L("portal.docs.landing.webhooks_text"))</li>
            <li><strong>\(L("portal.docs.landing.analytics"))</strong> \(L("portal.docs.landing.analytics_text"))</li>
            </ul>
            <p><a class="button" href="/signup">\(L("portal.signup.title"))</a> <a href="/login">\(L("portal.nav.sign_in"))</a> · <a href="/docs">\(L("portal.docs.read"))</a></p>
            """)
    }

    static func index(session: DeveloperSignedIn?) -> HTML {
        let items = topics.map { topic -> HTML in "<li><a href=\"/docs/\(topic.slug)\">\(topic.title)</a></li>" }
        return PortalLayout.page(
            title: L("portal.nav.docs"), session: session,
            """
            <h1>\(L("portal.docs.index.heading"))</h1>
            <ol class="topics">\(items)</ol>
            """)
    }

    /// A topic's text, written in English only so far: marked as English (WCAG 3.1.2, and left to right) on a page
    /// in another language, with a note saying so.
    private static func englishProse(_ body: HTML, slug: String) -> HTML {
        guard pageLanguage != Translations.source, !translatedTopics.contains(slug) else { return body }
        return "<p class=\"muted\" id=\"docs-in-english\">\(L("portal.docs.english_only"))</p><div lang=\"en\" dir=\"ltr\">\(body)</div>"
    }

    /// The topics whose text is in the catalogues.
    static let translatedTopics: Set<String> = ["getting-started", "scopes", "teams", "terms"]

    /// One topic page; `nil` for an unknown topic.
    static func topic(_ slug: String, session: DeveloperSignedIn?, configuration: Configuration) -> HTML? {
        guard let title = topics.first(where: { $0.slug == slug })?.title else { return nil }
        let body: HTML
        switch slug {
        case "getting-started": body = gettingStarted(configuration)
        case "oauth": body = oauth(configuration)
        case "scopes": body = scopes()
        case "tokens": body = tokens(configuration)
        case "dpop": body = dpop(configuration)
        case "logout": body = logout(configuration)
        case "par-and-keys": body = parAndKeys(configuration)
        case "errors": body = errors()
        case "webhooks": body = webhooks()
        case "limits": body = limits()
        case "teams": body = teams()
        default: body = terms()
        }
        let position = topics.firstIndex { $0.slug == slug }!
        let next: HTML =
            position + 1 < topics.count
            ? "<p class=\"next\">\(L("portal.docs.next")) <a href=\"/docs/\(topics[position + 1].slug)\">\(topics[position + 1].title)</a></p>" : ""
        return PortalLayout.page(
            title: title, session: session,
            """
            <p><a href="/docs">\(L("portal.nav.docs"))</a></p>
            <article class="docs" id="doc-\(slug)"><h1>\(title)</h1>\(englishProse(body, slug: slug))</article>\(next)
            """)
    }

    private static func base(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    private static func gettingStarted(_ configuration: Configuration) -> HTML {
        let issuer = base(configuration.appURL)
        let code = { (text: String) -> HTML in "<code>\(text)</code>" }
        return """
            <ol>
            <li>\(LH("portal.docs.start.1", ["signup": "<a href=\"/signup\">\(L("portal.signup.title"))</a>"]))</li>
            <li>\(LH("portal.docs.start.2", ["apps": "<a href=\"/apps\">\(L("portal.nav.apps"))</a>", "confidential": "<em>confidential</em>", "public": "<em>public</em>", "keys": "<a href=\"/docs/par-and-keys\">private_key_jwt, PAR</a>", "logout": "<a href=\"/docs/logout\">\(L("portal.docs.topic.logout"))</a>", "parameter": code("id_token_signed_response_alg"), "rs256": code("RS256"), "es256": code("ES256")]))</li>
            <li>\(L("portal.docs.start.3"))</li>
            <li>\(LH("portal.docs.start.4", ["client_id": code("client_id")]))</li>
            <li>\(L("portal.docs.start.5"))</li>
            </ol>
            <dl class="facts"><dt>\(L("portal.docs.start.issuer"))</dt><dd><code>\(issuer)</code></dd>
            <dt>\(L("portal.docs.start.discovery"))</dt><dd><code>\(issuer)/.well-known/openid-configuration</code></dd>
            <dt>\(L("portal.docs.start.api"))</dt><dd><code>\(issuer)/api/v1/</code> (<a href="\(issuer)/api/v1/openapi.json">\(L("portal.docs.start.openapi"))</a>)</dd></dl>
            """
    }

    private static func oauth(_ configuration: Configuration) -> HTML {
        let issuer = base(configuration.appURL)
        return """
            <p>Users sign in with the OAuth 2.0 authorization code flow (RFC 6749 §4.1) and PKCE (RFC 7636, method <code>S256</code>),
            as OAuth 2.1 and RFC 9700 require. PKCE is required from every app, confidential ones too; <code>plain</code> is refused.</p>
            <h2>1. Send the user to the authorization endpoint</h2>
            <pre><code>GET \(issuer)/authsso?response_type=code
              &amp;client_id=YOUR_CLIENT_ID
              &amp;redirect_uri=https%3A%2F%2Fapp.example%2Fcallback
              &amp;scope=openid%20profile.read%20student.grades.read%20offline_access
              &amp;state=RANDOM_STATE
              &amp;nonce=RANDOM_NONCE
              &amp;code_challenge=BASE64URL(SHA256(code_verifier))
              &amp;code_challenge_method=S256</code></pre>
            <p>The redirect URI must equal one registered for the app, character for character (loopback <code>http://127.0.0.1</code> may use any port).
            The user signs in and sees a consent page listing only the scopes their role can grant.</p>
            <h2>2. Receive the code</h2>
            <pre><code>303 See Other
            Location: https://app.example/callback?code=cw_ac_…&amp;state=RANDOM_STATE&amp;iss=\(FormCodec.encode(issuer))</code></pre>
            <p>Check <code>state</code> and <code>iss</code> (RFC 9207). A code works once, within \(Int(configuration.oauth.codeLifetime)) seconds.</p>
            <h2>3. Exchange it at the token endpoint</h2>
            <pre><code>POST \(issuer)/api/oauth/token
            Authorization: Basic base64(client_id:client_secret)      (confidential apps)
            Content-Type: application/x-www-form-urlencoded

            grant_type=authorization_code&amp;code=cw_ac_…&amp;redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&amp;code_verifier=…</code></pre>
            <pre><code>200 OK
            Cache-Control: no-store
            {"access_token":"cw_at_…","token_type":"Bearer","expires_in":\(Int(configuration.oauth.accessTokenLifetime)),
             "refresh_token":"cw_rt_…","scope":"openid profile.read student.grades.read offline_access","id_token":"eyJ…"}</code></pre>
            <p>Public apps send <code>client_id</code> in the body instead of a secret. A refresh token is issued when the app asked for
            <code>offline_access</code>. Validate the ID token's signature with the keys at <code>\(issuer)/api/oauth/jwks</code>
            (the key its header's <code>kid</code> names, with the algorithm your app registered, <code>RS256</code> unless you chose
            <code>ES256</code>), and its <code>iss</code>, <code>aud</code>, <code>exp</code> and <code>nonce</code>.</p>
            <p>Key your accounts on <code>sub</code>. Your app sees a <em>pairwise</em> subject (OpenID Connect Core §8): 43
            characters that stay the same for one person and your app, and that no other app can match up with its own, the
            same in the ID token, userinfo, introspection and the <code>person.erased</code> webhook.</p>
            <h2>4. Call the API</h2>
            <pre><code>GET \(issuer)/api/v1/me
            Authorization: Bearer cw_at_…</code></pre>
            <h2>Other endpoints</h2>
            <table><thead><tr><th scope="col">Endpoint</th><th scope="col">Use</th></tr></thead><tbody>
            <tr><td><code>\(issuer)/api/oauth/userinfo</code></td><td>OpenID Connect claims of the signed-in user</td></tr>
            <tr><td><code>\(issuer)/api/oauth/revoke</code></td><td>Revoke a token when the user disconnects (RFC 7009)</td></tr>
            <tr><td><code>\(issuer)/api/oauth/introspect</code></td><td>Check a token from your resource server (RFC 7662)</td></tr>
            <tr><td><code>\(issuer)/api/oauth/app-info?client_id=…</code></td><td>Your app's public card</td></tr>
            </tbody></table>
            """
    }

    private static func scopes() -> HTML {
        let rows = ScopeRegistry.standard.definitions.map { scope -> HTML in
            let roles = Role.allCases.filter { scope.grantableBy.contains($0) }.map(roleLabel).joined(separator: ", ")
            return """
                <tr id="scope-\(scope.name)"><td><code>\(scope.name)</code></td><td>\(scopeDescription(scope))</td><td>\(roles)</td>
                <td>\(scope.access.rawValue)</td><td>\(PortalAppPages.sensitivityWord(scope.sensitivity))</td><td>\(scope.isAppLevel ? L("portal.docs.yes") : L("portal.docs.no"))</td></tr>
                """
        }
        return """
            <p>\(L("portal.docs.scopes.intro"))</p>
            <table id="scopes"><thead><tr><th scope="col">Scope</th><th scope="col">\(L("portal.docs.scopes.told"))</th><th scope="col">\(L("portal.docs.scopes.who"))</th><th scope="col">\(L("portal.docs.scopes.access"))</th>
            <th scope="col">\(L("portal.docs.scopes.sensitivity"))</th><th scope="col">\(L("portal.docs.scopes.app_level"))</th></tr></thead><tbody>\(rows)</tbody></table>
            <p>\(LH("portal.docs.scopes.app_level_text", ["grant": "<code>client_credentials</code>"]))</p>
            """
    }

    private static func tokens(_ configuration: Configuration) -> HTML {
        let oauth = configuration.oauth
        return """
            <table id="lifetimes"><thead><tr><th scope="col">Token</th><th scope="col">Prefix</th><th scope="col">Lifetime</th></tr></thead><tbody>
            <tr><td>Authorization code</td><td><code>\(TokenPrefix.authorizationCode)</code></td><td>\(Int(oauth.codeLifetime)) seconds, single use</td></tr>
            <tr><td>Access token</td><td><code>\(TokenPrefix.accessToken)</code></td><td>\(Int(oauth.accessTokenLifetime)) seconds</td></tr>
            <tr><td>Refresh token</td><td><code>\(TokenPrefix.refreshToken)</code></td><td>\(Int(oauth.refreshTokenLifetime / 86400)) days, rotated on every use</td></tr>
            <tr><td>Client secret</td><td><code>\(ClientSecret.prefix)</code></td><td>until revoked; at most two active</td></tr>
            <tr><td>API key</td><td><code>\(APIKey.prefix)</code></td><td>until revoked</td></tr>
            <tr><td>Webhook signing secret</td><td><code>\(WebhookSecret.prefix)</code></td><td>until the endpoint is deleted</td></tr>
            </tbody></table>
            <p>Tokens are opaque: do not parse them. Every refresh returns a new refresh token and the old one stops working; presenting an old
            one again more than \(Int(oauth.refreshReuseGrace)) seconds later is treated as theft and ends the whole grant, so store the newest
            one before using it. Secrets and keys are shown once; the platform keeps only a digest and cannot show them again.</p>
            <p>Rotating a client secret without downtime: generate a second secret, deploy it, then revoke the first.</p>
            """
    }

    private static func dpop(_ configuration: Configuration) -> HTML {
        let base = configuration.appURL.hasSuffix("/") ? String(configuration.appURL.dropLast()) : configuration.appURL
        return """
            <p>With DPoP (RFC 9449) your tokens only work together with a proof signed by a key that never leaves your app, so a leaked
            token is useless on its own. Make one key pair per installation (ES256, RS256 or Ed25519: <code>alg</code>
            <code>Ed25519</code>, RFC 9864's name, or the older <code>EdDSA</code>) and send a fresh proof, a JWT with
            <code>typ</code> <code>dpop+jwt</code> and your public key in the <code>jwk</code> header, in the <code>DPoP</code> header of
            every token request and every API call. Claims: <code>jti</code> (unique), <code>htm</code> (the method),
            <code>htu</code> (the URL without query), <code>iat</code> (now; proofs older than \(Int(DPoPProof.maximumAge)) seconds are
            refused), <code>nonce</code> (the server's, below), and on API calls <code>ath</code>, the base64url SHA-256 of the
            access token. A proof is accepted once.</p>
            <p>The token endpoint asks for its nonce first: the answer is <code>400 use_dpop_nonce</code> with a
            <code>DPoP-Nonce</code> header; send the request again with that value in the proof (every DPoP token answer carries the
            next one). Userinfo, <code>/api/v1</code> and OneRoster ask the same way\(configuration.oauth.dpopResourceNonce ? "" : " when the operator turns resource nonces on (this deployment does not)"):
            <code>401</code> with <code>WWW-Authenticate: DPoP error="use_dpop_nonce"</code> and a <code>DPoP-Nonce</code> header;
            one nonce works at both and for a few minutes, so keep the newest you were sent. Public apps registered in this portal
            get DPoP-bound tokens only; their refresh tokens are bound to the key too. A confidential app can ask for the same on
            its app form (<em>DPoP-bound tokens</em>, reviewed like the rest).</p>
            <p>To bind the authorization code to your key too (RFC 9449 §10), send <code>dpop_jkt</code>, your key's JWK SHA-256
            thumbprint (RFC 7638), with the authorization request or the pushed one: the code is then exchanged only with a
            proof by that key (<code>invalid_dpop_proof</code> without one, <code>invalid_grant</code> with another key). A DPoP
            proof sent with a pushed request (with the nonce, as at the token endpoint) binds the code the same way.</p>
            <pre><code>POST /api/oauth/token HTTP/1.1
            Host: \(base.replacingOccurrences(of: "https://", with: ""))
            DPoP: eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Li4ufX0.eyJqdGkiOiIuLi4iLCJodG0iOiJQT1NUIiwiaHR1IjoiLi4uIn0.sig
            Content-Type: application/x-www-form-urlencoded

            grant_type=authorization_code&amp;code=cw_ac_...&amp;code_verifier=...&amp;client_id=...

            HTTP/1.1 200 OK
            DPoP-Nonce: ...
            {"access_token":"cw_at_...","token_type":"DPoP","expires_in":3600,...}

            GET /api/oauth/userinfo HTTP/1.1
            Authorization: DPoP cw_at_...
            DPoP: (a new proof with htm GET, htu \(base + DiscoveryDocument.Path.userinfo) and ath)</code></pre>
            <p>A DPoP-bound token sent as <code>Bearer</code> is refused with <code>invalid_token</code>; a bad proof gets
            <code>401</code> with <code>WWW-Authenticate: DPoP error="invalid_dpop_proof"</code>, and every other refusal of a
            DPoP-bound token (<code>invalid_token</code>, <code>insufficient_scope</code> with the <code>scope</code> needed) is a
            <code>DPoP</code> challenge too, listing the accepted <code>algs</code>. Introspection shows the key as
            <code>cnf.jkt</code>. Libraries: Authlib and joserfc (Python), oauth4webapi (JavaScript), Nimbus (Java).</p>
            """
    }

    private static func logout(_ configuration: Configuration) -> HTML {
        let base = configuration.appURL.hasSuffix("/") ? String(configuration.appURL.dropLast()) : configuration.appURL
        return """
            <p>CatalystWells implements OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0. ID tokens carry a
            <code>sid</code> claim, the same for every token issued in one browser session, including those from a refresh token
            while that session lasts; once it has ended, a refreshed ID token has no <code>sid</code> (the refresh token itself keeps
            working: <code>offline_access</code> outlives the session).</p>
            <h2>Signing a user out from your app</h2>
            <p>Send the browser to the <code>end_session_endpoint</code> from discovery, with the ID token you hold as
            <code>id_token_hint</code> (an expired one is fine), and optionally a <code>post_logout_redirect_uri</code> you registered
            (matched exactly) and a <code>state</code>, which comes back on it. When the hint names the user's current session the
            session ends at once; otherwise the user is asked to confirm. An unregistered redirect URI, a hint we did not sign or a
            <code>client_id</code> that is not the hint's audience gets an error page and changes nothing.</p>
            <pre><code>GET \(base + DiscoveryDocument.Path.endSession)?id_token_hint=eyJ...&amp;post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&amp;state=af0ifjsldkj

            HTTP/1.1 303 See Other
            Location: https://app.example/bye?state=af0ifjsldkj</code></pre>
            <h2>Being told when a session ends</h2>
            <p>Register a <code>backchannel_logout_uri</code> (https). Whenever a session in which the user signed in to your app ends
            (sign-out, a logout you or another app started, a session ended from the user's sessions page, "sign out everywhere else",
            "sign out of this device", or the session simply expiring) we POST a logout token to it as <code>application/x-www-form-urlencoded</code>
            <code>logout_token=…</code>. It is a JWT with <code>typ</code> <code>logout+jwt</code>, signed like your ID tokens
            with the keys of the <code>jwks_uri</code>, with <code>iss</code>, <code>aud</code> (your client_id), <code>iat</code>, <code>exp</code>
            (\(Int(LogoutToken.lifetime)) seconds later), <code>jti</code>, <code>sub</code>, <code>sid</code> and
            <code>events</code> <code>{"\(LogoutToken.event)":{}}</code>, and never a <code>nonce</code>. Verify it like an ID token,
            end the sessions with that <code>sid</code> (or, without one, that <code>sub</code>) and answer <code>200</code>.
            Anything else is tried again after 30 seconds, doubling, \(BackchannelLogoutPolicy.maximumAttempts) tries in all.</p>
            <pre><code>POST /backchannel-logout HTTP/1.1
            Host: app.example
            Content-Type: application/x-www-form-urlencoded

            logout_token=eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJpc3MiOiIuLi4iLCJzaWQiOiIuLi4ifQ.sig</code></pre>
            <p>Your app's credentials page lists the last logout tokens sent: when, how many tries, and your endpoint's answer.</p>
            <p>"Sign out of this device", for shared classroom devices, also revokes the access and refresh tokens your app got
            through that session.</p>
            <h2>Registering it on the app form</h2>
            <p>The app form's "Sign-out and ID tokens" block holds the client metadata: <code>post_logout_redirect_uris</code>
            (one per line, https or http on a loopback address, matched exactly), <code>backchannel_logout_uri</code> (https),
            <code>backchannel_logout_session_required</code>, and <code>id_token_signed_response_alg</code>: <code>RS256</code>
            (the default) or <code>ES256</code>. ID tokens and logout tokens for your app are then signed with our current key of
            that algorithm; its <code>kid</code> is in the token header and the key at the <code>jwks_uri</code>. Like redirect
            URIs these are reviewed: a change takes effect once approved, with the next sync.</p>
            """
    }

    private static func errors() -> HTML {
        let rows: [(String, String, String)] = [
            ("invalid_request", "400", "A parameter is missing, repeated, malformed or too long."),
            ("invalid_client", "401", "Client authentication failed: unknown client, wrong secret, or the wrong method for this app."),
            ("invalid_grant", "400", "The code or refresh token is invalid, expired, used, or the PKCE verifier does not match."),
            ("unauthorized_client", "400", "This app may not use this grant type."),
            ("unsupported_grant_type", "400", "Not authorization_code, refresh_token or client_credentials."),
            ("invalid_scope", "400", "A scope is unknown or not approved for this app."),
            ("access_denied", "redirect", "The user declined, or the school does not allow the app."),
            ("invalid_token", "401", "The access token is unknown, expired or revoked; get a new one."),
            ("insufficient_scope", "403", "The token lacks a scope; WWW-Authenticate names it."),
            ("temporarily_unavailable", "503", "Retry later with backoff."),
            ("invalid_dpop_proof", "400 / 401", "The DPoP proof is missing, malformed, reused, or not for this request or key."),
            ("use_dpop_nonce", "400 / 401", "Send the request again with a proof carrying the DPoP-Nonce the answer named."),
        ]
        let items = rows.map { row -> HTML in "<tr><td><code>\(row.0)</code></td><td>\(row.1)</td><td>\(row.2)</td></tr>" }
        return """
            <p>Errors are JSON objects with <code>error</code> and <code>error_description</code> (RFC 6749 §5.2, RFC 6750 §3.1). Errors of the
            authorization endpoint come back to your redirect URI with <code>state</code> and <code>iss</code>, except for an unknown app or
            redirect URI, which the user sees as a page and never reaches you.</p>
            <pre><code>401 Unauthorized
            WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is not valid."
            {"error":"invalid_token","error_description":"The access token is not valid."}</code></pre>
            <table id="error-codes"><thead><tr><th scope="col">error</th><th scope="col">Status</th><th scope="col">Meaning</th></tr></thead><tbody>\(items)</tbody></table>
            """
    }

    private static func webhooks() -> HTML {
        let events = WebhookEvent.allCases.map { "<li><code>\($0.rawValue)</code></li>" as HTML }
        let exampleKey = Array(repeating: UInt8(7), count: WebhookSecret.keyLength)
        let body = Array(#"{"type":"authorization.granted","timestamp":"2026-03-03T09:00:00Z","data":{"client_id":"cw_app_x"}}"#.utf8)
        let signature = WebhookSecret.signature(keyBytes: exampleKey, id: "msg_2b9Qx", timestamp: 1_772_528_400, body: body)
        let retrySchedule = WebhookDeliveryPolicy.standard.retryDelays.map { delay in
            delay < 60 ? "\(Int(delay)) s" : delay < 3600 ? "\(Int(delay / 60)) min" : "\(Int(delay / 3600)) h"
        }.joined(separator: ", ")
        return """
            <p>Add an https endpoint to an approved app and choose its events. Payloads are thin: the event type, the time and ids,
            never personal data. Fetch what you need from the API with your tokens.</p>
            <ul id="webhook-events">\(events)</ul>
            <h2>Verifying a delivery</h2>
            <p>Deliveries follow Standard Webhooks. Each carries <code>webhook-id</code>, <code>webhook-timestamp</code> (Unix seconds) and
            <code>webhook-signature</code>: <code>v1,</code> and the base64 HMAC-SHA256 of <code>id.timestamp.body</code>, keyed with the
            base64-decoded part of your <code>\(WebhookSecret.prefix)…</code> secret after the prefix. Reject timestamps more than
            \(Int(WebhookSecret.defaultTolerance)) seconds away from your clock, compare in constant time, and use the id to drop duplicates.</p>
            <pre><code>webhook-id: msg_2b9Qx
            webhook-timestamp: 1772528400
            webhook-signature: \(signature)</code></pre>
            <p>Libraries: <code>standardwebhooks</code> for Python, JavaScript, Go, Java, Ruby, PHP and more.</p>
            <p>Answer 2xx within 10 seconds. Any other answer, a timeout or a connection error is a failed attempt, retried with
            exponential backoff and ±10 % jitter after \(retrySchedule) — about a day. Redirects are not followed (a 3xx is a failed
            attempt), and only URLs whose host resolves to public addresses are posted to. 410 Gone disables the endpoint at once;
            an endpoint whose deliveries have all failed for 24 hours is disabled too, and you get a mail. The delivery log on your
            app's page shows every attempt with the start of your answer, and lets you redeliver or send a test ping.</p>
            """
    }

    private static func limits() -> HTML {
        """
        <p>Limits protect schools' servers. Past a limit the answer is <code>429 Too Many Requests</code> with <code>Retry-After</code>
        in seconds: wait that long, then retry with backoff.</p>
        <ul>
        <li>The education API counts requests per app, across every server of the installation, in one token bucket
        and reports it in <code>X-RateLimit-Limit</code>,
        <code>X-RateLimit-Remaining</code> and <code>X-RateLimit-Reset</code>.</li>
        <li>The token endpoint and sign-in pages are also limited per client address by the web server.</li>
        </ul>
        """
    }

    /// Rendered from ``OrganisationRole``'s table, so the page says what the server enforces.
    private static func teams() -> HTML {
        let words: [OrganisationAction: String] = [
            .viewApp: L("portal.docs.teams.view"), .editApp: L("portal.docs.teams.edit"),
            .manageCredentials: L("portal.docs.teams.credentials"), .manageMembers: L("portal.docs.teams.members"),
            .transferOwnership: L("portal.docs.teams.transfer"), .deleteApp: L("portal.docs.teams.delete"),
        ]
        let header = OrganisationRole.allCases.map { "<th scope=\"col\">\(PortalTeamPages.roleName($0))</th>" as HTML }
        let rows = OrganisationAction.allCases.map { action -> HTML in
            let cells = OrganisationRole.allCases.map { "<td>\($0.permits(action) ? L("portal.docs.yes") : "—")</td>" as HTML }
            return "<tr><th scope=\"row\">\(words[action] ?? action.rawValue)</th>\(cells)</tr>"
        }
        return """
            <p>\(LH("portal.docs.teams.intro", ["teams": "<a href=\"/organisations\">\(L("portal.nav.teams"))</a>"]))</p>
            <table id="team-roles"><thead><tr><th scope="col">\(L("portal.activity.what"))</th>\(header)</tr></thead><tbody>\(rows)</tbody></table>
            <p>\(L("portal.docs.teams.log"))</p>
            <p>\(LH("portal.docs.teams.activity", ["activity": "<strong>\(L("portal.activity.title"))</strong>", "limit": "\(PortalFormat.number(ActivityDetail.pageLimit))"]))</p>
            <p>\(L("portal.docs.teams.choose"))</p>
            """
    }

    private static func terms() -> HTML {
        """
        <ol>
        <li>\(L("portal.docs.terms.1"))</li>
        <li>\(L("portal.docs.terms.2"))</li>
        <li>\(L("portal.docs.terms.3"))</li>
        <li>\(L("portal.docs.terms.4"))</li>
        <li>\(L("portal.docs.terms.5"))</li>
        </ol>
        """
    }
}
