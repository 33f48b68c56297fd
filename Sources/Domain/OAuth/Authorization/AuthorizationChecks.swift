/// The rules of the authorization endpoint (`GET /authsso`), in the order they run.
///
/// Two stages, because an error can only be redirected once the redirect target is trusted
/// (RFC 6749 §4.1.2.1, RFC 9700 §4.11):
///
/// | # | rule | refusal | reference |
/// |---|------|---------|-----------|
/// | 1 | `client_id` / `redirect_uri` not repeated | page, `invalid_request` | RFC 6749 §3.1 |
/// | 2 | client known and active | page, `invalid_client` | RFC 6749 §4.1.2.1 |
/// | 3 | `redirect_uri` registered (exact; loopback port may vary; sole URI when omitted) | page, `invalid_request` | RFC 6749 §3.1.2.3, RFC 8252 §7.3 |
/// | 4 | `state` at most ``maximumStateLength`` bytes (kept for the error redirects below) | redirect | RFC 6749 §4.1.1 |
/// | 5 | no other parameter repeated | redirect, `invalid_request` | RFC 6749 §3.1 |
/// | 6 | no `request` / `request_uri` objects | redirect, `request_not_supported` / `request_uri_not_supported` | OIDC Core §6 |
/// | 7 | `response_type=code` | redirect, `invalid_request` when missing, else `unsupported_response_type` | RFC 6749 §4.1.1 |
/// | 8 | `response_mode` absent or `query` | redirect, `invalid_request` | OAuth 2.0 Multiple Response Types §2.1 |
/// | 9 | `scope` present, known, allowed for the client | redirect, `invalid_scope` | RFC 6749 §3.3 |
/// | 10 | PKCE: S256 challenge required from every client, `plain` refused | redirect, `invalid_request` | RFC 7636 §4.3, §4.4.1; RFC 9700 §2.1.1; OAuth 2.1 §4.1.1 |
/// | 11 | `prompt` ⊆ {none, login, consent}, `none` alone | redirect, `invalid_request` | OIDC Core §3.1.2.1 |
/// | 12 | `max_age` a non-negative integer | redirect, `invalid_request` | OIDC Core §3.1.2.1 |
/// | 13 | `nonce` at most ``maximumNonceLength`` bytes | redirect, `invalid_request` | OIDC Core §3.1.2.1 |
/// | 14 | `dpop_jkt` absent or a SHA-256 JWK thumbprint (43 base64url characters) | redirect, `invalid_request` | RFC 9449 §10 |
///
/// Unknown parameters are ignored (RFC 6749 §3.1). `prompt=select_account` is refused as `invalid_request`
/// rather than silently treated as `login`: there is no account chooser, discovery advertises the values
/// that work, and a client relying on it learns so at once.
public enum AuthorizationChecks {
    /// Longest `client_id` looked up.
    public static let maximumClientIDLength = 255
    /// Longest `state` accepted, in UTF-8 bytes.
    public static let maximumStateLength = 1000
    /// Longest `nonce` accepted, in UTF-8 bytes.
    public static let maximumNonceLength = 512

    /// The `client_id` to look up, or `nil` when it is missing, repeated, oversized or not printable ASCII
    /// (RFC 6749 Appendix A.1: VSCHAR), so junk never reaches the store. Pass the client found (or `nil`)
    /// to ``validate(_:client:registry:)``.
    public static func clientID(in parameters: OAuthParameters) -> ClientID? {
        guard !parameters.repeatedNames.contains("client_id"), let value = parameters["client_id"],
            value.utf8.count <= maximumClientIDLength, value.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { return nil }
        return ClientID(value)
    }

    /// Runs every rule. `client` is what the store returned for ``clientID(in:)`` (`nil` when unknown or not
    /// looked up).
    public static func validate(
        _ parameters: OAuthParameters, client: OAuthClient?, registry: ScopeRegistry = .standard
    ) -> Result<AuthorizationRequest, AuthorizationFailure> {
        var draft = Draft(parameters: parameters, client: client, registry: registry)
        for rule in pageRules {
            if let error = rule(&draft) { return .failure(.showPage(error.notRedirectable())) }
        }
        guard let trustedClient = draft.client, let redirectURI = draft.redirectURI else {
            return .failure(.showPage(OAuthError.serverError(logDetail: "page rules passed without a client").notRedirectable()))
        }
        for rule in redirectRules {
            if let error = rule(&draft) {
                return .failure(.redirect(error, redirectURI: redirectURI, state: draft.state))
            }
        }
        return .success(
            AuthorizationRequest(
                client: trustedClient, redirectURI: redirectURI, scopes: draft.scopes, state: draft.state,
                nonce: draft.nonce, codeChallenge: draft.codeChallenge, prompt: draft.prompt, maxAge: draft.maxAge,
                dpopJKT: draft.dpopJKT))
    }

    // MARK: The table

    /// One rule: checks one thing, may record what it validated, returns the error that stops the request.
    typealias Rule = @Sendable (inout Draft) -> OAuthError?

    /// Rules whose failure is shown on a page.
    static let pageRules: [Rule] = [
        clientAndRedirectURINotRepeated,
        clientIsKnownAndActive,
        redirectURIIsRegistered,
    ]

    /// Rules whose failure is redirected to the client.
    static let redirectRules: [Rule] = [
        stateFitsLimit,
        noParameterRepeated,
        requestObjectsNotUsed,
        responseTypeIsCode,
        responseModeIsQuery,
        scopesAreKnownAndAllowed,
        pkceChallengeIsS256,
        promptValuesAreSupported,
        maxAgeIsNonNegativeInteger,
        nonceFitsLimit,
        dpopJKTIsAThumbprint,
    ]

    /// What the rules have established so far.
    struct Draft {
        let parameters: OAuthParameters
        var client: OAuthClient?
        let registry: ScopeRegistry
        var redirectURI: String?
        var state: String?
        var scopes: [String] = []
        var codeChallenge: String?
        var prompt: Set<AuthorizationRequest.Prompt> = []
        var maxAge: Int?
        var nonce: String?
        var dpopJKT: String?

        init(parameters: OAuthParameters, client: OAuthClient?, registry: ScopeRegistry) {
            self.parameters = parameters
            self.client = client
            self.registry = registry
        }
    }

    // MARK: Rules shown on a page

    /// 1. A repeated `client_id` or `redirect_uri` makes the redirect target ambiguous (RFC 6749 §3.1).
    static func clientAndRedirectURINotRepeated(_ draft: inout Draft) -> OAuthError? {
        for name in ["client_id", "redirect_uri"] where draft.parameters.repeatedNames.contains(name) {
            return .invalidRequest("The \(name) parameter is repeated.").forPerson(.authorizeMalformed)
        }
        return nil
    }

    /// 2. The client must exist, match the `client_id` sent, and be active (RFC 6749 §4.1.2.1).
    static func clientIsKnownAndActive(_ draft: inout Draft) -> OAuthError? {
        guard let sent = clientID(in: draft.parameters) else {
            draft.client = nil
            return OAuthError(.invalidClient, "The client_id parameter is missing or malformed.").forPerson(.authorizeMalformed)
        }
        guard let client = draft.client, client.clientID == sent else {
            draft.client = nil
            return OAuthError(.invalidClient, "Unknown client.", logDetail: "client_id \(sent)")
                .forPerson(Message("authorize.page.unknown_client", "This site does not know the app that sent you here."))
        }
        guard client.status == .active else {
            draft.client = nil
            return OAuthError(.invalidClient, "This app is not available.", logDetail: "client \(sent) is \(client.status)")
                .forPerson(Message("authorize.page.unavailable", "This app is not available: its makers or this site have switched it off."))
        }
        return nil
    }

    /// 3. `redirect_uri` must match a registered one exactly (loopback: any port); it may be omitted only when
    /// the client registered exactly one (RFC 6749 §3.1.2.3; RFC 8252 §7.3; RFC 9700 §4.1.3).
    static func redirectURIIsRegistered(_ draft: inout Draft) -> OAuthError? {
        guard let client = draft.client else {
            return .invalidRequest("Unknown client.").forPerson(
                Message("authorize.page.unknown_client", "This site does not know the app that sent you here."))
        }
        guard let requested = draft.parameters["redirect_uri"] else {
            guard client.redirectURIs.count == 1, let only = client.redirectURIs.first,
                RedirectURIRule.match(requested: only, registered: client.redirectURIs) != nil
            else { return .invalidRequest("The redirect_uri parameter is required for this app.").forPerson(.authorizeRedirectURI) }
            draft.redirectURI = only
            return nil
        }
        guard let matched = RedirectURIRule.match(requested: requested, registered: client.redirectURIs) else {
            return .invalidRequest(
                "The redirect_uri is not registered for this app.", logDetail: "client \(client.clientID) sent an unregistered redirect_uri"
            ).forPerson(.authorizeRedirectURI)
        }
        draft.redirectURI = matched
        return nil
    }

    // MARK: Rules redirected to the client

    /// 4. `state` is echoed in every redirect from here on, so it is checked first; an oversized or repeated
    /// one is not echoed.
    static func stateFitsLimit(_ draft: inout Draft) -> OAuthError? {
        guard !draft.parameters.repeatedNames.contains("state"), let state = draft.parameters["state"] else { return nil }
        guard state.utf8.count <= maximumStateLength else {
            return .invalidRequest("The state parameter is longer than \(maximumStateLength) bytes.")
        }
        draft.state = state
        return nil
    }

    /// 5. No parameter may appear twice (RFC 6749 §3.1).
    static func noParameterRepeated(_ draft: inout Draft) -> OAuthError? {
        guard let name = draft.parameters.repeatedNames.sorted().first else { return nil }
        // Only echo a name that is plainly a parameter name: the description must stay in RFC 6749's
        // character set and must not reflect arbitrary input.
        let echoable =
            name.utf8.count <= 40
            && name.utf8.allSatisfy { byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "_")
            }
        return .invalidRequest(echoable ? "The \(name) parameter is repeated." : "A parameter is repeated.")
    }

    /// 6. Request objects are not supported; ignoring them would act on parameters the client did not mean
    /// (OIDC Core §6, §3.1.2.6).
    static func requestObjectsNotUsed(_ draft: inout Draft) -> OAuthError? {
        if draft.parameters["request"] != nil {
            return OAuthError(.requestNotSupported, "The request parameter is not supported.")
        }
        if draft.parameters["request_uri"] != nil {
            return OAuthError(.requestURINotSupported, "The request_uri parameter is not supported.")
        }
        return nil
    }

    /// 7. Only the authorization code flow exists (RFC 6749 §4.1.1; RFC 9700 §2.1.2: no implicit flow).
    static func responseTypeIsCode(_ draft: inout Draft) -> OAuthError? {
        guard let responseType = draft.parameters["response_type"] else {
            return .invalidRequest("The response_type parameter is required.")
        }
        guard responseType == "code" else {
            return OAuthError(.unsupportedResponseType, "Only response_type=code is supported.")
        }
        return nil
    }

    /// 8. Responses go in the query; a client asking for another mode would not find them.
    static func responseModeIsQuery(_ draft: inout Draft) -> OAuthError? {
        guard let mode = draft.parameters["response_mode"], mode != "query" else { return nil }
        return .invalidRequest("Only response_mode=query is supported.")
    }

    /// 9. Scopes must be present, well formed, known, and allowed for the client (RFC 6749 §3.3).
    static func scopesAreKnownAndAllowed(_ draft: inout Draft) -> OAuthError? {
        guard let parameter = draft.parameters["scope"] else { return .invalidScope("The scope parameter is required.") }
        switch draft.registry.parse(scopeParameter: parameter) {
        case .failure(let error):
            return error
        case .success(let scopes):
            let allowed = draft.client?.allowedScopes ?? []
            if let refused = scopes.first(where: { !allowed.contains($0) }) {
                return .invalidScope("This app may not request the scope \(refused).")
            }
            draft.scopes = scopes
            return nil
        }
    }

    /// 10. PKCE (RFC 7636 §4.3, §4.4.1; RFC 9700 §2.1.1; OAuth 2.1 §4.1.1): every client must send an S256
    /// challenge, confidential ones too (it also stops code injection, which a client secret does not). `plain`
    /// is refused, and since the method defaults to `plain` (RFC 7636 §4.3) a
    /// challenge without a method is refused too. An S256 challenge is the base64url of a SHA-256 hash, so it
    /// is exactly 43 characters: any other length could never verify, and saying so now is clearer than an
    /// `invalid_grant` at the token endpoint.
    static func pkceChallengeIsS256(_ draft: inout Draft) -> OAuthError? {
        let challenge = draft.parameters["code_challenge"]
        let method = draft.parameters["code_challenge_method"]
        guard let challenge else {
            if method != nil { return .invalidRequest("code_challenge_method was sent without code_challenge.") }
            // OAuth 2.1 §4.1.1 and RFC 9700 §2.1.1: PKCE protects confidential clients' codes too (injection).
            if draft.client != nil {
                return .invalidRequest("PKCE is required: send code_challenge with code_challenge_method=S256.")
            }
            return nil
        }
        switch method {
        case "S256": break
        case nil: return .invalidRequest("code_challenge_method=S256 is required; the default method plain is not supported.")
        case "plain": return .invalidRequest("code_challenge_method=plain is not supported; use S256.")
        default: return .invalidRequest("Unsupported code_challenge_method; use S256.")
        }
        guard PKCE.isValidS256Challenge(challenge) else {
            return .invalidRequest("The code_challenge must be 43 base64url characters (RFC 7636 4.2).")
        }
        draft.codeChallenge = challenge
        return nil
    }

    /// 11. `prompt` is a space-separated set of none, login, consent; `none` combines with nothing
    /// (OIDC Core §3.1.2.1). See the type's documentation for `select_account`.
    static func promptValuesAreSupported(_ draft: inout Draft) -> OAuthError? {
        guard let parameter = draft.parameters["prompt"] else { return nil }
        var prompt: Set<AuthorizationRequest.Prompt> = []
        for value in parameter.split(separator: " ", omittingEmptySubsequences: false) {
            guard let known = AuthorizationRequest.Prompt(rawValue: String(value)) else {
                return .invalidRequest("Unsupported prompt value; supported: none, login, consent.")
            }
            prompt.insert(known)
        }
        if prompt.contains(.none) && prompt.count > 1 {
            return .invalidRequest("prompt=none cannot be combined with other prompt values.")
        }
        draft.prompt = prompt
        return nil
    }

    /// 12. `max_age` is a non-negative number of seconds (OIDC Core §3.1.2.1).
    static func maxAgeIsNonNegativeInteger(_ draft: inout Draft) -> OAuthError? {
        guard let parameter = draft.parameters["max_age"] else { return nil }
        guard (1...10).contains(parameter.utf8.count), parameter.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Int(parameter)
        else { return .invalidRequest("max_age must be a non-negative integer of at most 10 digits.") }
        draft.maxAge = seconds
        return nil
    }

    /// 13. `nonce` goes into the ID token, so its size is bounded.
    static func nonceFitsLimit(_ draft: inout Draft) -> OAuthError? {
        guard let nonce = draft.parameters["nonce"] else { return nil }
        guard nonce.utf8.count <= maximumNonceLength else {
            return .invalidRequest("The nonce parameter is longer than \(maximumNonceLength) bytes.")
        }
        draft.nonce = nonce
        return nil
    }

    /// 14. `dpop_jkt` binds the code to a DPoP key (RFC 9449 §10): the base64url SHA-256 thumbprint (RFC 7638) that
    /// the token request's proof must have (``CodeExchangeRule``). Its shape is PKCE's S256 challenge's.
    static func dpopJKTIsAThumbprint(_ draft: inout Draft) -> OAuthError? {
        guard let thumbprint = draft.parameters["dpop_jkt"] else { return nil }
        guard PKCE.isValidS256Challenge(thumbprint) else {
            return .invalidRequest("dpop_jkt must be the base64url SHA-256 JWK thumbprint of the DPoP key (43 characters).")
        }
        draft.dpopJKT = thumbprint
        return nil
    }
}

extension Message {
    /// The page of a request whose app or return address is ambiguous or malformed.
    public static let authorizeMalformed = Message(
        "authorize.page.malformed",
        "The app sent a sign-in request this site cannot read. Start again from the app; if it happens again, tell its makers.")
    /// The page of a request whose return address is missing or not registered: the person is not sent there.
    static let authorizeRedirectURI = Message(
        "authorize.page.redirect_uri", "The app asked to send you back to an address it has not registered, so you were not sent anywhere.")
    /// The page of a pushed request that expired or was used already.
    public static let authorizeLinkSpent = Message(
        "authorize.page.link_spent", "This sign-in link has expired or was already used. Start again from the app.")
}
