/// The content of a developer's application as last saved: every field present is valid (see
/// ``ApplicationForm/validate(registry:)``), but a draft may still be incomplete. What review needs on top is
/// ``submissionProblems(registry:)``.
///
/// The same value describes an approved app's live version and a pending change to it, so a review compares
/// like with like.
public struct ApplicationDraft: Sendable, Equatable {
    /// Shown on the consent page and in the portal; 1…``ApplicationForm/maximumNameLength`` characters.
    public var name: String
    /// What the app does for schools; may be empty in a draft.
    public var description: String
    /// The app's website.
    public var homepageURL: String?
    /// The privacy policy, which the consent page links to.
    public var privacyPolicyURL: String?
    /// The terms of use.
    public var termsURL: String?
    /// Lower-case hex SHA-256 of the uploaded logo (see ``LogoImage``), which names the stored bytes; part of
    /// the reviewed content because the consent page shows it.
    public var logoSHA256: String?
    /// Registered redirect URIs, compared exactly at authorization time (``RedirectURIRule``).
    public var redirectURIs: [String]
    /// Scopes the app asks to be allowed, in the order chosen; names from the ``ScopeRegistry``.
    public var requestedScopes: [String]
    /// Whether the app can keep a client secret (a server) or not (a browser or native app, PKCE only).
    public var clientType: OAuthClient.Kind
    /// What the app does with the data of each requested scope, in requested-scope order (at most one per
    /// scope, only for requested scopes); reviewed and attested with the rest.
    public var dataDeclarations: [DataDeclaration]
    /// How the app's server authenticates and whether it must use PAR (``ApplicationClientAuthentication``).
    public var clientAuthentication: ApplicationClientAuthentication
    /// Logout registration and ID token signing algorithm (``ApplicationOpenIDSettings``).
    public var openID: ApplicationOpenIDSettings
    /// The LTI 1.3 tool registration (``LTIToolSettings``); `nil`: the app is not an LTI tool.
    public var lti: LTIToolSettings?

    /// A draft from already validated values.
    public init(
        name: String, description: String = "", homepageURL: String? = nil, privacyPolicyURL: String? = nil,
        termsURL: String? = nil, logoSHA256: String? = nil, redirectURIs: [String] = [], requestedScopes: [String] = [],
        clientType: OAuthClient.Kind = .confidential, dataDeclarations: [DataDeclaration] = [],
        clientAuthentication: ApplicationClientAuthentication = .standard, openID: ApplicationOpenIDSettings = .standard,
        lti: LTIToolSettings? = nil
    ) {
        self.lti = lti
        self.clientAuthentication = clientAuthentication
        self.openID = openID
        self.name = name
        self.description = description
        self.homepageURL = homepageURL
        self.privacyPolicyURL = privacyPolicyURL
        self.termsURL = termsURL
        self.logoSHA256 = logoSHA256
        self.redirectURIs = redirectURIs
        self.requestedScopes = requestedScopes
        self.clientType = clientType
        self.dataDeclarations = dataDeclarations
    }

    /// What must be added before the draft can be submitted, keyed by form field; empty when complete.
    ///
    /// A reviewer needs to know what the app is and how it treats pupils' data, and an approved app must be
    /// usable, so submission requires:
    /// - `description`: a description;
    /// - `homepage_url` and `privacy_policy_url`: a homepage and a privacy policy (the consent page links
    ///   both; the terms URL stays optional);
    /// - `scopes`: at least one requested scope;
    /// - `redirect_uris`: at least one redirect URI when users will sign in through the app, that is when it
    ///   is a public client (public clients have only the authorization-code flow) or requests any scope
    ///   that is not app-level. A confidential app asking only for app-level scopes (`client_credentials`)
    ///   needs none;
    /// - `declarations`: a data declaration (``DataDeclaration``) for every requested scope;
    /// - for an LTI tool, what ``LTIToolSettings/submissionProblems(clientAuthentication:clientType:)`` asks.
    public func submissionProblems(registry: ScopeRegistry = .standard) -> SchoolworkForms.FieldErrors {
        var errors: SchoolworkForms.FieldErrors = [:]
        if description.isEmpty { errors["description"] = Message("app.submit.description", "Describe what the app does before submitting it.") }
        if homepageURL == nil { errors["homepage_url"] = Message("app.submit.homepage", "Add the app's homepage before submitting it.") }
        if privacyPolicyURL == nil {
            errors["privacy_policy_url"] = Message(
                "app.submit.privacy", "Add a privacy policy before submitting: schools need to know how pupils' data is handled.")
        }
        if requestedScopes.isEmpty { errors["scopes"] = Message("app.submit.scopes", "Choose at least one scope before submitting.") }
        let needsUsers =
            clientType == .public
            || requestedScopes.contains { registry.definition(named: $0)?.isAppLevel != true }
        if needsUsers && redirectURIs.isEmpty {
            errors["redirect_uris"] = Message("app.submit.redirect_uris", "Add at least one redirect URI: users sign in to this app through it.")
        }
        let undeclared = DataDeclaration.undeclared(requestedScopes, in: dataDeclarations)
        if !undeclared.isEmpty {
            let missing = undeclared.joined(separator: ", ")
            errors["declarations"] = Message(
                "app.submit.declarations", "Declare how the app uses the data of every scope before submitting; missing: \(missing).",
                ["scopes": missing])
        }
        if let lti {
            for (field, message) in lti.submissionProblems(clientAuthentication: clientAuthentication, clientType: clientType).problems
            where errors[field] == nil {
                errors[field] = message
            }
        }
        return errors
    }

    /// Whether ``submissionProblems(registry:)`` is empty for the standard registry.
    public var isCompleteForSubmission: Bool { submissionProblems().isEmpty }
}
