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
            ("lti", L("portal.docs.topic.lti")),
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
        case "lti": body = lti(configuration)
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
            <article class="docs" id="doc-\(slug)"><h1>\(title)</h1>\(body)</article>\(next)
            """)
    }

    private static func base(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    /// Code (a parameter, a header, a URL) in a topic's prose: isolated and left to right on a right-to-left page too.
    static func code(_ text: String) -> HTML { "<code dir=\"ltr\">\(text)</code>" }

    /// A number of seconds, in the page's language (its plural form and digits).
    static func seconds(_ value: TimeInterval) -> String { L("portal.docs.seconds", count: Int(value)) }

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
            <p>\(LH("portal.docs.oauth.intro", ["s256": code("S256"), "plain": code("plain")]))</p>
            <h2>\(L("portal.docs.oauth.step1"))</h2>
            <pre dir="ltr"><code>GET \(issuer)/authsso?response_type=code
              &amp;client_id=YOUR_CLIENT_ID
              &amp;redirect_uri=https%3A%2F%2Fapp.example%2Fcallback
              &amp;scope=openid%20profile.read%20student.grades.read%20offline_access
              &amp;state=RANDOM_STATE
              &amp;nonce=RANDOM_NONCE
              &amp;code_challenge=BASE64URL(SHA256(code_verifier))
              &amp;code_challenge_method=S256</code></pre>
            <p>\(LH("portal.docs.oauth.redirect_uri", ["loopback": code("http://127.0.0.1")]))</p>
            <h2>\(L("portal.docs.oauth.step2"))</h2>
            <pre dir="ltr"><code>303 See Other
            Location: https://app.example/callback?code=cw_ac_…&amp;state=RANDOM_STATE&amp;iss=\(FormCodec.encode(issuer))</code></pre>
            <p>\(LH("portal.docs.oauth.check", ["state": code("state"), "iss": code("iss"), "seconds": "\(seconds(configuration.oauth.codeLifetime))"]))</p>
            <h2>\(L("portal.docs.oauth.step3"))</h2>
            <pre dir="ltr"><code>POST \(issuer)/api/oauth/token
            Authorization: Basic base64(client_id:client_secret)      \(L("portal.docs.oauth.confidential_only"))
            Content-Type: application/x-www-form-urlencoded

            grant_type=authorization_code&amp;code=cw_ac_…&amp;redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&amp;code_verifier=…</code></pre>
            <pre dir="ltr"><code>200 OK
            Cache-Control: no-store
            {"access_token":"cw_at_…","token_type":"Bearer","expires_in":\(Int(configuration.oauth.accessTokenLifetime)),
             "refresh_token":"cw_rt_…","scope":"openid profile.read student.grades.read offline_access","id_token":"eyJ…"}</code></pre>
            <p>\(LH("portal.docs.oauth.public", ["client_id": code("client_id"), "offline_access": code("offline_access"), "jwks": code("\(issuer)/api/oauth/jwks"), "kid": code("kid"), "rs256": code("RS256"), "es256": code("ES256"), "iss": code("iss"), "aud": code("aud"), "exp": code("exp"), "nonce": code("nonce")]))</p>
            <p>\(LH("portal.docs.oauth.subject", ["sub": code("sub"), "pairwise": "<em>pairwise</em>", "erased": code("person.erased")]))</p>
            <h2>\(L("portal.docs.oauth.step4"))</h2>
            <pre dir="ltr"><code>GET \(issuer)/api/v1/me
            Authorization: Bearer cw_at_…</code></pre>
            <h2>\(L("portal.docs.oauth.other"))</h2>
            <table><thead><tr><th scope="col">\(L("portal.docs.oauth.endpoint"))</th><th scope="col">\(L("portal.docs.oauth.use"))</th></tr></thead><tbody>
            <tr><td>\(code("\(issuer)/api/oauth/userinfo"))</td><td>\(L("portal.docs.oauth.userinfo"))</td></tr>
            <tr><td>\(code("\(issuer)/api/oauth/revoke"))</td><td>\(L("portal.docs.oauth.revoke"))</td></tr>
            <tr><td>\(code("\(issuer)/api/oauth/introspect"))</td><td>\(L("portal.docs.oauth.introspect"))</td></tr>
            <tr><td>\(code("\(issuer)/api/oauth/app-info?client_id=…"))</td><td>\(L("portal.docs.oauth.app_info"))</td></tr>
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
            <table id="lifetimes"><thead><tr><th scope="col">\(L("portal.docs.tokens.token"))</th><th scope="col">\(L("portal.docs.tokens.prefix"))</th><th scope="col">\(L("portal.docs.tokens.lifetime"))</th></tr></thead><tbody>
            <tr><td>\(L("portal.docs.tokens.code"))</td><td>\(code(TokenPrefix.authorizationCode))</td><td>\(L("portal.docs.tokens.single_use", ["seconds": seconds(oauth.codeLifetime)]))</td></tr>
            <tr><td>\(L("portal.docs.tokens.access"))</td><td>\(code(TokenPrefix.accessToken))</td><td>\(seconds(oauth.accessTokenLifetime))</td></tr>
            <tr><td>\(L("portal.docs.tokens.refresh"))</td><td>\(code(TokenPrefix.refreshToken))</td><td>\(L("portal.docs.tokens.rotated", count: Int(oauth.refreshTokenLifetime / 86400)))</td></tr>
            <tr><td>\(L("portal.docs.tokens.client_secret"))</td><td>\(code(ClientSecret.prefix))</td><td>\(L("portal.docs.tokens.two_active"))</td></tr>
            <tr><td>\(L("portal.docs.tokens.api_key"))</td><td>\(code(APIKey.prefix))</td><td>\(L("portal.docs.tokens.until_revoked"))</td></tr>
            <tr><td>\(L("portal.docs.tokens.webhook_secret"))</td><td>\(code(WebhookSecret.prefix))</td><td>\(L("portal.docs.tokens.until_deleted"))</td></tr>
            </tbody></table>
            <p>\(L("portal.docs.tokens.opaque", ["seconds": seconds(oauth.refreshReuseGrace)]))</p>
            <p>\(L("portal.docs.tokens.rotate_secret"))</p>
            """
    }

    private static func dpop(_ configuration: Configuration) -> HTML {
        let site = base(configuration.appURL)
        let nonce = code("DPoP-Nonce")
        let resourceNonce =
            configuration.oauth.dpopResourceNonce
            ? LH("portal.docs.dpop.resource_nonce", ["api": code("/api/v1")])
            : LH("portal.docs.dpop.resource_nonce_optional", ["api": code("/api/v1")])
        return """
            <p>\(L("portal.docs.dpop.intro"))
            \(LH("portal.docs.dpop.keys", ["alg": code("alg"), "ed25519": code("Ed25519"), "eddsa": code("EdDSA"), "typ": code("typ"), "dpop_jwt": code("dpop+jwt"), "jwk": code("jwk"), "dpop": code("DPoP")]))
            \(LH("portal.docs.dpop.claims", ["jti": code("jti"), "htm": code("htm"), "htu": code("htu"), "iat": code("iat"), "seconds": "\(seconds(DPoPProof.maximumAge))", "nonce": code("nonce"), "ath": code("ath")]))</p>
            <p>\(LH("portal.docs.dpop.token_nonce", ["answer": code("400 use_dpop_nonce"), "header": nonce]))
            \(resourceNonce) \(LH("portal.docs.dpop.resource_answer", ["status": code("401"), "challenge": code("WWW-Authenticate: DPoP error=\"use_dpop_nonce\""), "header": nonce]))
            \(LH("portal.docs.dpop.public", ["option": "<em>\(L("portal.auth.dpop_title"))</em>"]))</p>
            <p>\(LH("portal.docs.dpop.code", ["dpop_jkt": code("dpop_jkt"), "invalid_proof": code("invalid_dpop_proof"), "invalid_grant": code("invalid_grant")]))</p>
            <pre dir="ltr"><code>POST /api/oauth/token HTTP/1.1
            Host: \(site.replacingOccurrences(of: "https://", with: ""))
            DPoP: eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Li4ufX0.eyJqdGkiOiIuLi4iLCJodG0iOiJQT1NUIiwiaHR1IjoiLi4uIn0.sig
            Content-Type: application/x-www-form-urlencoded

            grant_type=authorization_code&amp;code=cw_ac_...&amp;code_verifier=...&amp;client_id=...

            HTTP/1.1 200 OK
            DPoP-Nonce: ...
            {"access_token":"cw_at_...","token_type":"DPoP","expires_in":3600,...}

            GET /api/oauth/userinfo HTTP/1.1
            Authorization: DPoP cw_at_...
            DPoP: \(L("portal.docs.dpop.sample_proof", ["url": site + DiscoveryDocument.Path.userinfo]))</code></pre>
            <p>\(LH("portal.docs.dpop.refusals", ["bearer": code("Bearer"), "invalid_token": code("invalid_token"), "status": code("401"), "challenge": code("WWW-Authenticate: DPoP error=\"invalid_dpop_proof\""), "insufficient_scope": code("insufficient_scope"), "scope": code("scope"), "dpop": code("DPoP"), "algs": code("algs"), "cnf_jkt": code("cnf.jkt")]))</p>
            """
    }

    private static func logout(_ configuration: Configuration) -> HTML {
        let site = base(configuration.appURL)
        let sid = code("sid")
        let jwksURI = code("jwks_uri")
        let backchannelURI = code("backchannel_logout_uri")
        return """
            <p>\(LH("portal.docs.logout.intro", ["sid": sid, "offline_access": code("offline_access")]))</p>
            <h2>\(L("portal.docs.logout.from_app"))</h2>
            <p>\(LH("portal.docs.logout.end_session", ["endpoint": code("end_session_endpoint"), "hint": code("id_token_hint"), "redirect": code("post_logout_redirect_uri"), "state": code("state"), "client_id": code("client_id")]))</p>
            <pre dir="ltr"><code>GET \(site + DiscoveryDocument.Path.endSession)?id_token_hint=eyJ...&amp;post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&amp;state=af0ifjsldkj

            HTTP/1.1 303 See Other
            Location: https://app.example/bye?state=af0ifjsldkj</code></pre>
            <h2>\(L("portal.docs.logout.told"))</h2>
            <p>\(LH("portal.docs.logout.register", ["uri": backchannelURI, "others": "\(L("sessions.others"))", "device": "\(L("logout.device"))", "form": code("application/x-www-form-urlencoded"), "parameter": code("logout_token=…")]))
            \(LH("portal.docs.logout.token", ["typ": code("typ"), "logout_jwt": code("logout+jwt"), "jwks_uri": jwksURI, "iss": code("iss"), "aud": code("aud"), "iat": code("iat"), "exp": code("exp"), "seconds": "\(seconds(LogoutToken.lifetime))", "jti": code("jti"), "sub": code("sub"), "sid": sid, "events": code("events"), "event": code("{\"\(LogoutToken.event)\":{}}"), "nonce": code("nonce")]))
            \(LH("portal.docs.logout.answer", ["sid": sid, "sub": code("sub"), "ok": code("200"), "delay": "\(seconds(30))", "tries": "\(L("portal.docs.logout.tries", count: BackchannelLogoutPolicy.maximumAttempts))"]))</p>
            <pre dir="ltr"><code>POST /backchannel-logout HTTP/1.1
            Host: app.example
            Content-Type: application/x-www-form-urlencoded

            logout_token=eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiIsInR5cCI6ImxvZ291dCtqd3QifQ.eyJpc3MiOiIuLi4iLCJzaWQiOiIuLi4ifQ.sig</code></pre>
            <p>\(L("portal.docs.logout.credentials"))</p>
            <p>\(L("portal.docs.logout.device", ["device": L("logout.device")]))</p>
            <h2>\(L("portal.docs.logout.form_heading"))</h2>
            <p>\(LH("portal.docs.logout.form", ["legend": "\(L("portal.oidc.legend"))", "post_logout": code("post_logout_redirect_uris"), "backchannel_uri": backchannelURI, "session_required": code("backchannel_logout_session_required"), "alg": code("id_token_signed_response_alg"), "rs256": code("RS256"), "es256": code("ES256"), "kid": code("kid"), "jwks_uri": jwksURI]))</p>
            """
    }

    private static func errors() -> HTML {
        let rows: [(String, String, HTML)] = [
            ("invalid_request", "400", "\(L("portal.docs.errors.invalid_request"))"),
            ("invalid_client", "401", "\(L("portal.docs.errors.invalid_client"))"),
            ("invalid_grant", "400", "\(L("portal.docs.errors.invalid_grant"))"),
            ("unauthorized_client", "400", "\(L("portal.docs.errors.unauthorized_client"))"),
            (
                "unsupported_grant_type", "400",
                LH(
                    "portal.docs.errors.unsupported_grant_type",
                    ["code": code("authorization_code"), "refresh": code("refresh_token"), "credentials": code("client_credentials")])
            ),
            ("invalid_scope", "400", "\(L("portal.docs.errors.invalid_scope"))"),
            ("access_denied", L("portal.docs.errors.redirect"), "\(L("portal.docs.errors.access_denied"))"),
            ("invalid_token", "401", "\(L("portal.docs.errors.invalid_token"))"),
            ("insufficient_scope", "403", LH("portal.docs.errors.insufficient_scope", ["header": code("WWW-Authenticate")])),
            ("temporarily_unavailable", "503", "\(L("portal.docs.errors.temporarily_unavailable"))"),
            ("invalid_dpop_proof", "400 / 401", "\(L("portal.docs.errors.invalid_dpop_proof"))"),
            ("use_dpop_nonce", "400 / 401", LH("portal.docs.errors.use_dpop_nonce", ["header": code("DPoP-Nonce")])),
        ]
        let items = rows.map { row -> HTML in "<tr><td>\(code(row.0))</td><td>\(row.1)</td><td>\(row.2)</td></tr>" }
        return """
            <p>\(LH("portal.docs.errors.intro", ["error": code("error"), "description": code("error_description"), "state": code("state"), "iss": code("iss")]))</p>
            <pre dir="ltr"><code>401 Unauthorized
            WWW-Authenticate: Bearer error="invalid_token", error_description="The access token is not valid."
            {"error":"invalid_token","error_description":"The access token is not valid."}</code></pre>
            <table id="error-codes"><thead><tr><th scope="col">\(code("error"))</th><th scope="col">\(L("portal.docs.errors.status"))</th><th scope="col">\(L("portal.docs.errors.meaning"))</th></tr></thead><tbody>\(items)</tbody></table>
            """
    }

    private static func webhooks() -> HTML {
        let events = WebhookEvent.allCases.map { "<li>\(code($0.rawValue))</li>" as HTML }
        let exampleKey = Array(repeating: UInt8(7), count: WebhookSecret.keyLength)
        let body = Array(#"{"type":"authorization.granted","timestamp":"2026-03-03T09:00:00Z","data":{"client_id":"cw_app_x"}}"#.utf8)
        let signature = WebhookSecret.signature(keyBytes: exampleKey, id: "msg_2b9Qx", timestamp: 1_772_528_400, body: body)
        let retrySchedule = WebhookDeliveryPolicy.standard.retryDelays.map { delay in
            if delay < 60 { return seconds(delay) }
            return delay < 3600 ? L("portal.docs.minutes", count: Int(delay / 60)) : L("portal.docs.hours", count: Int(delay / 3600))
        }.joined(separator: L("portal.docs.list_separator"))
        return """
            <p>\(L("portal.docs.webhooks.intro"))</p>
            <ul id="webhook-events">\(events)</ul>
            <h2>\(L("portal.docs.webhooks.verifying"))</h2>
            <p>\(LH("portal.docs.webhooks.verify", ["id": code("webhook-id"), "timestamp": code("webhook-timestamp"), "signature": code("webhook-signature"), "v1": code("v1,"), "signed": code("id.timestamp.body"), "secret": code("\(WebhookSecret.prefix)…"), "seconds": "\(seconds(WebhookSecret.defaultTolerance))"]))</p>
            <pre dir="ltr"><code>webhook-id: msg_2b9Qx
            webhook-timestamp: 1772528400
            webhook-signature: \(signature)</code></pre>
            <p>\(LH("portal.docs.webhooks.libraries", ["library": code("standardwebhooks")]))</p>
            <p>\(L("portal.docs.webhooks.answer", ["seconds": seconds(10), "schedule": retrySchedule]))
            \(L("portal.docs.webhooks.redirects"))
            \(L("portal.docs.webhooks.disabled"))
            \(L("portal.docs.webhooks.log"))</p>
            """
    }

    private static func limits() -> HTML {
        """
        <p>\(LH("portal.docs.limits.intro", ["status": code("429 Too Many Requests"), "retry_after": code("Retry-After")]))</p>
        <ul>
        <li>\(LH("portal.docs.limits.api", ["limit": code("X-RateLimit-Limit"), "remaining": code("X-RateLimit-Remaining"), "reset": code("X-RateLimit-Reset")]))</li>
        <li>\(L("portal.docs.limits.web_server"))</li>
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
