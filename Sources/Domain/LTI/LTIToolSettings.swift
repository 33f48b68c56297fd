/// What a developer registers for an app that is an LTI 1.3 tool (issue 19 item 2; LTI Core 1.3 §4.1 "third-party
/// initiated login" and 1EdTech Security Framework 1.0 §5.1): the OIDC login initiation URL the platform sends the
/// browser to, the default target link URI of a launch, and the redirect URIs the tool may name in its
/// authentication request (where the id_token is form-posted). The tool's keys are the app's `private_key_jwt`
/// registration (``ApplicationClientAuthentication``), which a tool must use: they sign its service-token assertions
/// and its Deep Linking responses.
///
/// Reviewed content like redirect URIs: where a launch sends the browser and a person's identity is the app's
/// identity, so a change is reviewed and attested, then carried to main by sync. A draft may hold empty fields;
/// ``submissionProblems(clientAuthentication:clientType:)`` asks for them before review.
public struct LTIToolSettings: Sendable, Equatable {
    /// `initiate_login_uri`: where a launch starts (Security Framework §5.1.1).
    public var loginInitiationURL: String
    /// `target_link_uri`: the tool's default launch address, sent in the login initiation and the id_token claim.
    public var targetLinkURI: String
    /// `redirect_uris`: the only addresses an id_token is posted to, compared exactly.
    public var redirectURIs: [String]
    /// The tool's Deep Linking 2.0 launch address (the `target_link_uri` of an `LtiDeepLinkingRequest`); empty when the
    /// tool does not offer content selection.
    public var deepLinkingURL: String

    /// A setting.
    public init(loginInitiationURL: String = "", targetLinkURI: String = "", redirectURIs: [String] = [], deepLinkingURL: String = "") {
        self.loginInitiationURL = loginInitiationURL
        self.targetLinkURI = targetLinkURI
        self.redirectURIs = redirectURIs
        self.deepLinkingURL = deepLinkingURL
    }

    /// Whether a teacher may add content from the tool by Deep Linking.
    public var supportsDeepLinking: Bool { !deepLinkingURL.isEmpty }

    /// The form's field names.
    public enum Field {
        /// The "this app is an LTI 1.3 tool" box.
        public static let isTool = "lti_tool"
        /// The login initiation URL.
        public static let loginInitiationURL = "lti_login_initiation_url"
        /// The target link URI.
        public static let targetLinkURI = "lti_target_link_uri"
        /// The launch redirect URIs (a textarea, one per line).
        public static let redirectURIs = "lti_redirect_uris"
        /// The optional Deep Linking URL.
        public static let deepLinkingURL = "lti_deep_linking_url"
    }

    /// The setting the form's fields describe (`nil`: the app is not an LTI tool, whatever the other fields hold), or
    /// the problems keyed by ``Field``. Each address filled in must pass ``ApplicationForm/redirectURIProblem(_:)``
    /// (https, or http on a loopback IP literal, no fragment, no wildcard): the browser goes to all of them and the
    /// platform's server never does, so the redirect-URI rule is the right one. Empty fields are left to
    /// ``submissionProblems(clientAuthentication:clientType:)``; the Deep Linking URL may stay empty.
    public static func validate(
        isTool: Bool, loginInitiationURL: String, targetLinkURI: String, redirectURIs: String, deepLinkingURL: String = ""
    ) -> Result<LTIToolSettings?, SchoolworkForms.FieldErrors> {
        guard isTool else { return .success(nil) }
        var errors: SchoolworkForms.FieldErrors = [:]
        let login = loginInitiationURL.trimmingWhitespace()
        let target = targetLinkURI.trimmingWhitespace()
        let deepLinking = deepLinkingURL.trimmingWhitespace()
        for (field, value) in [(Field.loginInitiationURL, login), (Field.targetLinkURI, target), (Field.deepLinkingURL, deepLinking)]
        where !value.isEmpty {
            if let problem = ApplicationForm.redirectURIProblem(value) { errors[field] = problem }
        }
        let uris = ApplicationForm.lines(redirectURIs)
        if let problem = ApplicationForm.redirectURIsProblem(uris) { errors[Field.redirectURIs] = problem }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(LTIToolSettings(loginInitiationURL: login, targetLinkURI: target, redirectURIs: uris, deepLinkingURL: deepLinking))
    }

    /// What a tool needs before review, keyed by field: the three addresses, a confidential client, and
    /// `private_key_jwt` keys (the services' token requests and Deep Linking responses are signed with them;
    /// LTI Core 1.3 §4.1 and Security Framework §4.1 leave no place for a shared secret).
    public func submissionProblems(clientAuthentication: ApplicationClientAuthentication, clientType: OAuthClient.Kind) -> SchoolworkForms.FieldErrors
    {
        var errors: SchoolworkForms.FieldErrors = [:]
        if loginInitiationURL.isEmpty {
            errors[Field.loginInitiationURL] = Message("lti.error.login_missing", "Add the tool's login initiation URL before submitting it.")
        }
        if targetLinkURI.isEmpty {
            errors[Field.targetLinkURI] = Message("lti.error.target_missing", "Add the tool's target link URI before submitting it.")
        }
        if redirectURIs.isEmpty {
            errors[Field.redirectURIs] = Message("lti.error.redirects_missing", "Add at least one launch redirect URI before submitting the tool.")
        }
        if clientType != .confidential {
            errors["client_type"] = Message("lti.error.confidential", "An LTI tool is a confidential app: it signs its requests with its own keys.")
        } else if clientAuthentication.privateKeyJWT == nil {
            errors["token_endpoint_auth_method"] = Message(
                "lti.error.private_key_jwt", "An LTI tool authenticates with private_key_jwt: register its public keys (JWKS or jwks_uri).")
        }
        return errors
    }

    /// The stored column: form-encoded `login_initiation_url`, `target_link_uri`, `redirect_uri` (repeated, in
    /// order) and `deep_linking_url` when set (absent otherwise, so columns written before it read back unchanged). A
    /// column is present exactly when the app is a tool.
    public var column: String {
        var pairs = [("login_initiation_url", loginInitiationURL), ("target_link_uri", targetLinkURI)]
        pairs += redirectURIs.map { ("redirect_uri", $0) }
        if !deepLinkingURL.isEmpty { pairs.append(("deep_linking_url", deepLinkingURL)) }
        return pairs.map { FormCodec.encode($0.0) + "=" + FormCodec.encode($0.1) }.joined(separator: "&")
    }

    /// A stored column read back; `nil` (unreadable) when it is not one ``column`` wrote.
    public init?(column: String) {
        guard let pairs = try? FormCodec.parsePairs(Substring(column), what: "LTI tool settings"),
            let login = pairs.first(where: { $0.0 == "login_initiation_url" })?.1,
            let target = pairs.first(where: { $0.0 == "target_link_uri" })?.1
        else { return nil }
        self.init(
            loginInitiationURL: login, targetLinkURI: target, redirectURIs: pairs.filter { $0.0 == "redirect_uri" }.map(\.1),
            deepLinkingURL: pairs.first(where: { $0.0 == "deep_linking_url" })?.1 ?? "")
    }
}

/// The app form's LTI block as typed, so a refused form is shown again unchanged (``ApplicationForm/lti``).
public struct LTIToolForm: Sendable, Equatable {
    /// The "this app is an LTI 1.3 tool" box.
    public var isTool: Bool
    /// The login initiation URL field.
    public var loginInitiationURL: String
    /// The target link URI field.
    public var targetLinkURI: String
    /// The launch redirect URIs textarea.
    public var redirectURIs: String
    /// The Deep Linking URL field.
    public var deepLinkingURL: String

    /// A form from its fields.
    public init(
        isTool: Bool = false, loginInitiationURL: String = "", targetLinkURI: String = "", redirectURIs: String = "", deepLinkingURL: String = ""
    ) {
        self.isTool = isTool
        self.loginInitiationURL = loginInitiationURL
        self.targetLinkURI = targetLinkURI
        self.redirectURIs = redirectURIs
        self.deepLinkingURL = deepLinkingURL
    }

    /// The fields a stored setting shows in the form (`nil`: the box unticked and the fields empty).
    public init(_ settings: LTIToolSettings?) {
        self.init(
            isTool: settings != nil, loginInitiationURL: settings?.loginInitiationURL ?? "", targetLinkURI: settings?.targetLinkURI ?? "",
            redirectURIs: settings?.redirectURIs.joined(separator: "\n") ?? "", deepLinkingURL: settings?.deepLinkingURL ?? "")
    }
}
