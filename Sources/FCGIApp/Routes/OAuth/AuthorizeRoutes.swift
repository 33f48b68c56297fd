import Domain
import Foundation

/// `GET /authsso` and `POST /authsso`: the authorization endpoint (RFC 6749 §3.1, §4.1; OIDC Core §3.1.2).
///
/// Order of work, each step only after the previous one passed (steps 3–6 are ``AuthorizeFlow``):
/// 1. client and redirect URI (an error here is a page, never a redirect: RFC 6749 §4.1.2.1);
/// 2. the rest of the request (errors now go back to the client's redirect URI, with `state` and `iss`);
/// 3. sign-in: none yet, `prompt=login` or `max_age` exceeded → the sign-in page, which returns here;
///    `prompt=none` → `login_required`;
/// 4. the user's school's decision about the app: blocked → a 403 page that explains and offers "ask my
///    school" (`prompt=none` → `access_denied`); allowed → only the scopes the school lets its users grant;
/// 5. consent: only scopes the user's role may grant, the client may receive and the school allows; a remembered
///    consent that covers them skips the page (unless `prompt=consent`); `prompt=none` → `consent_required`;
/// 6. the code: single use, short-lived, bound to client, redirect URI, PKCE challenge and nonce; a 303 to the
///    client with `code`, `state` and `iss` (RFC 9207).
/// The consent POST carries the request in hidden fields and is validated again from scratch: nothing in it is
/// trusted because an earlier page showed it.
enum AuthorizeRoutes {
    /// The marker the sign-in detour adds to the return URL (``SignInDetourMarker``).
    static let signedInMarker = SignInDetourMarker.parameter

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/authsso") { request, _, context in
            let parameters = OAuthParameters(pairs: request.query.pairs.map { ($0.name, $0.value) })
            return try authorize(request, parameters: parameters, decision: nil, context: context)
        }

        router.add("POST", "/authsso") { request, _, context in
            guard let session = try context.signedIn(request) else {
                throw HTTPError(status: 400, code: "invalid_request", L("authorize.session_ended"))
            }
            let form = try context.verifiedForm(request, session: session)
            let fields = form.pairs.filter { $0.name != "csrf" && $0.name != "decision" }.map { ($0.name, $0.value) }
            guard let decision = form["decision"], decision == "approve" || decision == "deny" else {
                throw HTTPError(status: 400, code: "invalid_request", L("authorize.choose"))
            }
            return try authorize(request, parameters: OAuthParameters(pairs: fields), decision: decision == "approve", context: context)
        }

        // "Ask my school" on the blocked-app page: a request in the school admins' queue at /school/apps.
        router.add("POST", "/authsso/ask-school") { request, _, context in
            let session = try context.requireSignIn(request, Role.student, .parent, .teacher, .schoolAdmin)
            let form = try context.verifiedForm(request, session: session)
            guard let school = session.user.schoolID, let raw = form["client_id"], raw.utf8.count <= AuthorizationChecks.maximumClientIDLength,
                let client = try context.services.oauth.clients.client(ClientID(raw)), client.status == .active,
                // Only a blocked app can be asked for, so the admins' queue holds nothing they already allow.
                try context.services.api.appPolicies.policy(school: school, client: client.clientID)?.status == .blocked
            else { throw HTTPError.notFound() }
            try context.services.api.appPolicies.requestAccess(school: school, client: client.clientID, user: session.user.id, now: context.now)
            context.logger.info("school asked to allow an app", metadata: ["oauth.client_id": "\(client.clientID)", "user.id": "\(session.user.id)"])
            return .page(ConsentPages.asked(session: session, client: client))
        }
    }

    private static func authorize(
        _ request: HTTPRequest, parameters: OAuthParameters, decision: Bool?, context: RequestContext
    ) throws -> HTTPResponse {
        let services = context.services
        let issuer = services.configuration.appURL
        let now = context.now
        // The page of a request that cannot go back to the app (RFC 6749 §4.1.2.1): what happened in the person's
        // language, and the `error`/`error_description` for the app's developer as the wire would carry them (English
        // ASCII, like every `error_description` this server sends in a redirect or JSON).
        func refusalPage(_ error: OAuthError) -> HTTPResponse {
            context.logger.info("authorization request refused", metadata: ["error.detail": "\(error.logDetail ?? error.description)"])
            let detail: HTML = """
                <p><small>\(L("authorize.developer_detail")) <code lang="en" dir="ltr">\(error.code.rawValue): \(error.description)</code></small></p>
                """
            return .page(
                Layout.errorPage(
                    status: 400, title: L("authorize.invalid_link"), message: L(error.personMessage ?? .authorizeMalformed), detail: detail,
                    requestID: request.requestID),
                status: 400)
        }
        // A refusal of the pushed request itself comes before its own `ui_locales` is known: the query's counts.
        PageLanguage.current?.hint(uiLocales: parameters["ui_locales"])
        // A pushed request (RFC 9126 §4): the query names the client and the request_uri; the stored request, validated
        // again below, is what counts. It is spent when this request ends in a code or an error for the client.
        var effective = parameters
        var pushedDigest: [UInt8]?
        if let requestURI = parameters["request_uri"] {
            let digest = PushedAuthorizationRequest.digest(requestURI: requestURI)
            let stored = try digest.flatMap { try services.oauth.pushedRequests.pushedRequest(digest: $0, now: now) }
            switch PushedAuthorizationRequest.resolve(query: parameters, stored: stored) {
            case .failure(let error): return refusalPage(error)
            case .success(let resolved):
                effective = resolved
                pushedDigest = digest
            }
        }
        // The app's preferred languages for the pages of this request (OIDC Core §3.1.2.1), the consent page included.
        PageLanguage.current?.hint(uiLocales: effective["ui_locales"])
        let client = try AuthorizationChecks.clientID(in: effective).flatMap { try services.oauth.clients.client($0) }
        if let refusal = PushedAuthorizationRequest.requirement(for: client, query: parameters) { return refusalPage(refusal) }
        let authorization: AuthorizationRequest
        switch AuthorizationChecks.validate(effective, client: client) {
        case .success(let value):
            authorization = value
        case .failure(let failure):
            if let url = AuthorizationResponse.url(for: failure, issuer: issuer) { return .seeOther(url) }
            return refusalPage(failure.error)
        }
        func redirect(_ error: OAuthError) -> HTTPResponse {
            .seeOther(
                AuthorizationResponse.errorURL(redirectURI: authorization.redirectURI, error: error, state: authorization.state, issuer: issuer))
        }

        // 3.–6. The flow; the route renders its outcome.
        let session = try context.signedIn(request)
        // A person who must have a second factor and has none sets it up before an app gets their data (as before
        // any page of the site); the page that finishes the enrolment offers this request again.
        let detourKey = try services.oauth.requireKeys().detourKey
        if let session, session.mustEnrolSecondFactor {
            return SecondFactorRoutes.sendToEnrol(next: returnURL(parameters, marker: nil))
        }
        // The GET's query or the consent form's hidden field; only a marker of ours, older than the session's
        // sign-in, counts.
        let marker = parameters[signedInMarker]
        let binding = SignInDetourMarker.binding(authorization)
        let justSignedIn = SignInDetourMarker.showsSignIn(marker, binding: binding, authTime: session?.authTime, now: now, key: detourKey)
        var generator = SystemRandomNumberGenerator()
        let flow = AuthorizeFlow(
            policies: services.api.appPolicies, consents: services.oauth.consents, codes: services.oauth.codes,
            codeLifetime: services.configuration.oauth.codeLifetime)
        let outcome = try flow.run(
            authorization,
            session: session.map { AuthorizeFlow.Session(user: $0.user, authTime: $0.authTime, methods: $0.methods, digest: $0.digest) },
            signedInDuringThisRequest: justSignedIn, decision: decision, now: now, using: &generator)
        switch outcome {
        case .signIn(let again):
            let back = returnURL(parameters, marker: SignInDetourMarker.make(at: now, binding: binding, key: detourKey))
            return .seeOther("/login?\(again ? "reauth=1&" : "")next=" + FormCodec.encode(back))
        case .redirectError(let error):
            if let pushedDigest { _ = try services.oauth.pushedRequests.consumePushedRequest(digest: pushedDigest, now: now) }
            return redirect(error)
        case .blocked:
            guard let session else { throw HTTPError.notFound() }
            context.logger.info(
                "authorization refused: the school blocked the app", metadata: ["oauth.client_id": "\(authorization.client.clientID)"])
            return .page(ConsentPages.blocked(session: session, client: authorization.client), status: 403)
        case .askConsent(let scopes):
            guard let session else { throw HTTPError.notFound() }
            return .page(
                ConsentPages.consent(
                    session: session, client: authorization.client, scopes: scopes,
                    hiddenFields: (pushedDigest == nil ? hiddenFields(authorization) + uiLocalesField(effective) : pushedFields(parameters))
                        + (justSignedIn ? [(signedInMarker, marker ?? "")] : []),
                    returnTo: returnURL(parameters, marker: nil),
                    declarations: try services.api.declarations.declarations(of: authorization.client.clientID)))
        case .issued(let code):
            // The code exists only if the pushed request is spent now: a second use of it (or a race) shows the page and
            // the code, which nobody learns, expires unused.
            if let pushedDigest, !(try services.oauth.pushedRequests.consumePushedRequest(digest: pushedDigest, now: now)) {
                return refusalPage(
                    OAuthError.invalidRequest(
                        "This sign-in link has expired or was already used. Start again from the app.", logDetail: "request_uri used before"
                    ).forPerson(.authorizeLinkSpent))
            }
            context.logger.info(
                "authorization code issued",
                metadata: ["oauth.client_id": "\(authorization.client.clientID)", "user.id": "\(session.map { "\($0.user.id)" } ?? "")"])
            return .seeOther(
                AuthorizationResponse.successURL(redirectURI: authorization.redirectURI, code: code, state: authorization.state, issuer: issuer))
        }
    }

    /// The request again as `/authsso?…`, for coming back after sign-in (with a fresh detour `marker`) or sign-out.
    private static func returnURL(_ parameters: OAuthParameters, marker: String?) -> String {
        var pairs = parameters.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            .filter { $0.0 != signedInMarker && !($0.0 == "prompt" && marker != nil) }
        if let marker {
            // After the detour the user has signed in: `prompt=login` is satisfied, so it is not sent again.
            if let prompt = parameters["prompt"] {
                let rest = prompt.split(separator: " ").filter { $0 != "login" }.joined(separator: " ")
                if !rest.isEmpty { pairs.append(("prompt", rest)) }
            }
            pairs.append((signedInMarker, marker))
        }
        return "/authsso?" + pairs.map { FormCodec.encode($0.0) + "=" + FormCodec.encode($0.1) }.joined(separator: "&")
    }

    /// A pushed request's consent form carries only its reference (RFC 9126 §4): the POST resolves it again.
    private static func pushedFields(_ parameters: OAuthParameters) -> [(String, String)] {
        [("client_id", parameters["client_id"] ?? ""), ("request_uri", parameters["request_uri"] ?? "")]
    }

    /// `ui_locales` as the app sent it, so the pages after the consent POST keep its language.
    private static func uiLocalesField(_ parameters: OAuthParameters) -> [(String, String)] {
        guard let value = parameters["ui_locales"], value.utf8.count <= 200 else { return [] }
        return [("ui_locales", value)]
    }

    /// The validated request as form fields for the consent POST.
    private static func hiddenFields(_ request: AuthorizationRequest) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("response_type", "code"), ("client_id", request.client.clientID.rawValue), ("redirect_uri", request.redirectURI),
            ("scope", ScopeRegistry.parameter(request.scopes)),
        ]
        if let state = request.state { fields.append(("state", state)) }
        if let nonce = request.nonce { fields.append(("nonce", nonce)) }
        if let challenge = request.codeChallenge {
            fields.append(("code_challenge", challenge))
            fields.append(("code_challenge_method", "S256"))
        }
        if let maxAge = request.maxAge { fields.append(("max_age", String(maxAge))) }
        if let thumbprint = request.dpopJKT { fields.append(("dpop_jkt", thumbprint)) }
        return fields
    }
}
