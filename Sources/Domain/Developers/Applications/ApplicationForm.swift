import Foundation

/// The application form as submitted, every field as typed, so a refused form can be shown again unchanged.
///
/// ``validate(registry:)`` checks each field that is filled in and reports every problem next to its field
/// (keys `name`, `description`, `homepage_url`, `privacy_policy_url`, `terms_url`, `redirect_uris`, `scopes`,
/// `client_type`, `logo`, and `declaration.<scope>` for a data declaration, see ``DataDeclarationForm``). Fields that review needs but a draft may lack are left to
/// ``ApplicationDraft/submissionProblems(registry:)``, so a developer can save half a form and come back.
public struct ApplicationForm: Sendable, Equatable {
    /// Longest app name, in characters.
    public static let maximumNameLength = 80
    /// Longest description, in characters.
    public static let maximumDescriptionLength = 2000
    /// Most redirect URIs an app may register.
    public static let maximumRedirectURIs = 10

    /// The `name` field.
    public var name: String
    /// The `description` field.
    public var description: String
    /// The `homepage_url` field; empty when not given.
    public var homepageURL: String
    /// The `privacy_policy_url` field; empty when not given.
    public var privacyPolicyURL: String
    /// The `terms_url` field; empty when not given.
    public var termsURL: String
    /// The `redirect_uris` textarea: one URI per line, blank lines ignored.
    public var redirectURIs: String
    /// The checked `scopes` boxes, in form order.
    public var scopes: [String]
    /// The `client_type` choice: `confidential` or `public`.
    public var clientType: String
    /// The logo's digest kept from the stored app or a fresh upload (the upload itself is checked by
    /// ``LogoImage/inspect(_:)``); `nil` for no logo.
    public var logoSHA256: String?
    /// The data declaration blocks, one per scope the page showed; only those of ticked scopes are kept.
    public var declarations: [DataDeclarationForm]
    /// The `token_endpoint_auth_method` choice: `client_secret` (or empty) or `private_key_jwt`.
    public var tokenEndpointAuthMethod = ""
    /// The `jwks` textarea: a pasted public JWK Set.
    public var jwks = ""
    /// The `jwks_uri` field.
    public var jwksURI = ""
    /// The `require_par` box.
    public var requirePAR = false
    /// The `dpop_bound_access_tokens` box (confidential apps).
    public var requireDPoP = false
    /// The `post_logout_redirect_uris` textarea: one URI per line.
    public var postLogoutRedirectURIs = ""
    /// The `backchannel_logout_uri` field; empty for none.
    public var backchannelLogoutURI = ""
    /// The `backchannel_logout_session_required` box.
    public var backchannelLogoutSessionRequired = false
    /// The `id_token_signed_response_alg` choice: `RS256` (or empty) or `ES256`.
    public var idTokenSignedResponseAlg = ""
    /// The LTI block (``LTIToolSettings/Field``): the "LTI 1.3 tool" box and its three addresses as typed.
    public var lti = LTIToolForm()

    /// A form from its fields.
    public init(
        name: String, description: String, homepageURL: String, privacyPolicyURL: String, termsURL: String,
        redirectURIs: String, scopes: [String], clientType: String, logoSHA256: String? = nil, declarations: [DataDeclarationForm] = []
    ) {
        self.name = name
        self.description = description
        self.homepageURL = homepageURL
        self.privacyPolicyURL = privacyPolicyURL
        self.termsURL = termsURL
        self.redirectURIs = redirectURIs
        self.scopes = scopes
        self.clientType = clientType
        self.logoSHA256 = logoSHA256
        self.declarations = declarations
    }

    /// The draft the form describes, or the problems by field. Text is trimmed of surrounding white space;
    /// empty URL fields become `nil`.
    public func validate(registry: ScopeRegistry = .standard) -> Result<ApplicationDraft, SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]

        let name = name.trimmingWhitespace()
        if name.isEmpty {
            errors["name"] = Message("app.error.name", "Give the app a name.")
        } else if name.unicodeScalars.count > Self.maximumNameLength {
            errors["name"] = .atMostCharacters(Self.maximumNameLength)
        } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["name"] = .nameOnOneLine
        }

        // Lengths count Unicode scalars, as MariaDB counts utf8mb4 characters: a browser's CRLF line break is one
        // Swift Character but two scalars, so line breaks become LF and the limit is the column's.
        let description = description.replacingOccurrences(of: "\r\n", with: "\n").trimmingWhitespace()
        if description.unicodeScalars.count > Self.maximumDescriptionLength {
            errors["description"] = .atMostCharacters(Self.maximumDescriptionLength)
        } else if description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\n\r\t".unicodeScalars.contains($0) }) {
            errors["description"] = Message("app.error.description_control", "Remove the control characters from the description.")
        }

        var urls: [String: String?] = [:]
        for (field, value) in [("homepage_url", homepageURL), ("privacy_policy_url", privacyPolicyURL), ("terms_url", termsURL)] {
            let trimmed = value.trimmingWhitespace()
            if trimmed.isEmpty {
                urls[field] = .some(nil)
            } else if let problem = HTTPSURLRule.problem(with: trimmed) {
                errors[field] = problem
            } else {
                urls[field] = .some(trimmed)
            }
        }

        let redirectURIs = Self.lines(self.redirectURIs)
        if let problem = Self.redirectURIsProblem(redirectURIs) { errors["redirect_uris"] = problem }

        if let unknown = scopes.first(where: { registry.definition(named: $0) == nil }) {
            errors["scopes"] = Message("app.error.unknown_scope", "Unknown scope: \(unknown).", ["scope": unknown])
        } else if Set(scopes).count != scopes.count {
            errors["scopes"] = Message("app.error.scope_twice", "Choose each scope once.")
        }

        let clientType = OAuthClient.Kind(rawValue: clientType)
        if clientType == nil { errors["client_type"] = Message("app.error.client_type", "Choose confidential or public.") }

        if let logoSHA256, !(logoSHA256.utf8.count == 64 && logoSHA256.utf8.allSatisfy(Self.isLowerHex)) {
            errors["logo"] = Message("app.error.logo_reference", "The logo reference is not valid; upload the logo again.")
        }

        // Declarations of ticked scopes only, in scope order; a block of an unticked scope is dropped.
        var declarations: [DataDeclaration] = []
        for scope in scopes {
            guard let block = self.declarations.first(where: { $0.scope == scope }) else { continue }
            switch block.validate() {
            case .success(let declaration?): declarations.append(declaration)
            case .success(nil): break
            case .failure(let problem): errors[block.errorKey] = problem.problem
            }
        }

        var clientAuthentication = ApplicationClientAuthentication.standard
        switch ApplicationClientAuthentication.validate(
            method: tokenEndpointAuthMethod, jwks: jwks, jwksURI: jwksURI, requirePAR: requirePAR, requireDPoP: requireDPoP,
            clientType: clientType)
        {
        case .success(let value): clientAuthentication = value
        case .failure(let problems): for (field, problem) in problems.problems where errors[field] == nil { errors[field] = problem }
        }

        var openID = ApplicationOpenIDSettings.standard
        switch ApplicationOpenIDSettings.validate(
            postLogoutRedirectURIs: postLogoutRedirectURIs, backchannelLogoutURI: backchannelLogoutURI,
            backchannelLogoutSessionRequired: backchannelLogoutSessionRequired, idTokenSignedResponseAlg: idTokenSignedResponseAlg)
        {
        case .success(let value): openID = value
        case .failure(let problems): for (field, problem) in problems.problems where errors[field] == nil { errors[field] = problem }
        }

        var ltiSettings: LTIToolSettings?
        switch LTIToolSettings.validate(
            isTool: lti.isTool, loginInitiationURL: lti.loginInitiationURL, targetLinkURI: lti.targetLinkURI, redirectURIs: lti.redirectURIs,
            deepLinkingURL: lti.deepLinkingURL)
        {
        case .success(let value): ltiSettings = value
        case .failure(let problems): for (field, message) in problems.problems where errors[field] == nil { errors[field] = message }
        }

        guard errors.isEmpty, let clientType else { return .failure(errors) }
        return .success(
            ApplicationDraft(
                name: name, description: description, homepageURL: urls["homepage_url"] ?? nil,
                privacyPolicyURL: urls["privacy_policy_url"] ?? nil, termsURL: urls["terms_url"] ?? nil,
                logoSHA256: logoSHA256, redirectURIs: redirectURIs, requestedScopes: scopes, clientType: clientType,
                dataDeclarations: declarations, clientAuthentication: clientAuthentication, openID: openID, lti: ltiSettings))
    }

    /// The non-blank lines of a textarea, each trimmed.
    public static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// The first problem with a list of redirect URIs, or `nil`: at most ``maximumRedirectURIs``, no
    /// duplicates, each acceptable to ``redirectURIProblem(_:)``.
    public static func redirectURIsProblem(_ uris: [String]) -> Message? {
        if uris.count > maximumRedirectURIs {
            return Message("app.error.redirect_uris_max", count: maximumRedirectURIs, "Register at most \(maximumRedirectURIs) redirect URIs.")
        }
        var seen: Set<String> = []
        for uri in uris {
            if let problem = redirectURIProblem(uri) {
                return Message("app.error.redirect_uri", "\(uri): \(problem)", ["uri": uri], nested: ["problem": problem])
            }
            if !seen.insert(uri).inserted { return .listedTwice(uri) }
        }
        return nil
    }

    /// The problem with one redirect URI, or `nil`. The portal allows absolute `https` URIs and `http` on a
    /// loopback IP literal (RFC 8252 §7.3), without fragments (RFC 6749 §3.1.2) or wildcards (exact
    /// matching, RFC 9700 §2.1); private-use schemes, which ``RedirectURIRule/isRegistrable(_:)`` would allow,
    /// are not offered by the portal. The rule the authorization endpoint applies is checked last, so the
    /// portal can never register a URI that endpoint would not honour.
    public static func redirectURIProblem(_ uri: String) -> Message? {
        if uri.hasPrefix("http://") {
            if uri.utf8.count > RedirectURIRule.maximumLength { return .atMostCharacters(RedirectURIRule.maximumLength) }
            if uri.utf8.contains(where: { !HTTPSURLRule.isURICharacter($0) }) { return .urlCharacters }
            if uri.contains("#") { return .urlFragment }
            if uri.contains("*") { return .urlWildcard }
            guard RedirectURIRule.isRegistrable(uri) else {
                return Message(
                    "app.error.redirect_http",
                    "Use https, or plain http only on 127.0.0.1 or [::1] (not localhost) for an app on the user's device.")
            }
            return nil
        }
        if let problem = HTTPSURLRule.problem(with: uri) { return problem }
        return RedirectURIRule.isRegistrable(uri) ? nil : Message("app.error.redirect_unregistrable", "This redirect URI cannot be registered.")
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }
}

extension String {
    /// The string without leading and trailing white space and newlines (Foundation-free).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension Message {
    /// A name (of an app, a key) with control characters.
    static let nameOnOneLine = Message("form.error.name_line", "Use a name on one line, without control characters.")

    /// An entry of a list given twice.
    static func listedTwice(_ entry: String) -> Message {
        Message("form.error.listed_twice", "\(entry) is listed twice.", ["entry": entry])
    }
}
