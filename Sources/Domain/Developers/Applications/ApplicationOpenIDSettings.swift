/// The OpenID Connect client metadata a developer sets on the app form (issue 20 items 4 and 5): the logout
/// registration (`post_logout_redirect_uris`, `backchannel_logout_uri`, `backchannel_logout_session_required`, see
/// ``ClientLogoutRegistration``) and `id_token_signed_response_alg` (OIDC Dynamic Client Registration §2: RS256, the
/// default, or ES256). Part of the reviewed content like redirect URIs: where the browser and logout tokens go and how
/// ID tokens are signed are the app's identity, so a change is reviewed and attested, then carried to main by sync.
public struct ApplicationOpenIDSettings: Sendable, Equatable {
    /// The logout registration (empty: none).
    public var logout: ClientLogoutRegistration
    /// How the app's ID tokens and logout tokens are signed.
    public var idTokenSigningAlgorithm: SigningKeyRecord.Algorithm

    /// A setting.
    public init(logout: ClientLogoutRegistration = ClientLogoutRegistration(), idTokenSigningAlgorithm: SigningKeyRecord.Algorithm = .rs256) {
        self.logout = logout
        self.idTokenSigningAlgorithm = idTokenSigningAlgorithm
    }

    /// No logout registration, RS256: what every app had before.
    public static let standard = ApplicationOpenIDSettings()

    /// The setting the form's fields describe, or the problems keyed by field (`post_logout_redirect_uris`,
    /// `backchannel_logout_uri`, `id_token_signed_response_alg`). `postLogoutRedirectURIs` is a textarea (one URI per
    /// line); an empty back-channel URI is none; an empty algorithm is RS256. The URI rules are
    /// ``ClientLogoutRegistration/problems()``'s, the ones `catalystwells client logout` applies.
    public static func validate(
        postLogoutRedirectURIs: String, backchannelLogoutURI: String, backchannelLogoutSessionRequired: Bool, idTokenSignedResponseAlg: String
    ) -> Result<ApplicationOpenIDSettings, SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        let uris = ApplicationForm.lines(postLogoutRedirectURIs)
        if let problem = ClientLogoutRegistration(postLogoutRedirectURIs: uris).problems().first {
            errors["post_logout_redirect_uris"] = problem
        }
        let backchannel = backchannelLogoutURI.trimmingWhitespace()
        let registration = ClientLogoutRegistration(
            postLogoutRedirectURIs: uris, backchannelLogoutURI: backchannel.isEmpty ? nil : backchannel,
            backchannelLogoutSessionRequired: backchannelLogoutSessionRequired)
        if let problem = ClientLogoutRegistration(
            backchannelLogoutURI: registration.backchannelLogoutURI, backchannelLogoutSessionRequired: backchannelLogoutSessionRequired
        ).problems().first {
            errors["backchannel_logout_uri"] = problem
        }
        var algorithm = SigningKeyRecord.Algorithm.rs256
        switch idTokenSignedResponseAlg.trimmingWhitespace() {
        case "": break
        case let name:
            if let chosen = SigningKeyRecord.Algorithm(rawValue: name) {
                algorithm = chosen
            } else {
                errors["id_token_signed_response_alg"] = Message("app.error.id_token_alg", "Choose RS256 or ES256.")
            }
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(ApplicationOpenIDSettings(logout: registration, idTokenSigningAlgorithm: algorithm))
    }

    /// The stored column: `nil` for ``standard``, else form-encoded `post_logout_redirect_uri` (repeated, in order),
    /// `backchannel_logout_uri`, `backchannel_logout_session_required=1` and `id_token_signed_response_alg`.
    public var column: String? {
        guard self != .standard else { return nil }
        var pairs = logout.postLogoutRedirectURIs.map { ("post_logout_redirect_uri", $0) }
        if let uri = logout.backchannelLogoutURI { pairs.append(("backchannel_logout_uri", uri)) }
        if logout.backchannelLogoutSessionRequired { pairs.append(("backchannel_logout_session_required", "1")) }
        pairs.append(("id_token_signed_response_alg", idTokenSigningAlgorithm.rawValue))
        return pairs.map { FormCodec.encode($0.0) + "=" + FormCodec.encode($0.1) }.joined(separator: "&")
    }

    /// A stored column read back; `nil` (unreadable) when it is not one ``column`` wrote.
    public init?(column: String?) {
        guard let column else {
            self = .standard
            return
        }
        guard let pairs = try? FormCodec.parsePairs(Substring(column), what: "OpenID Connect settings"),
            let algorithm = SigningKeyRecord.Algorithm(
                rawValue: pairs.first(where: { $0.0 == "id_token_signed_response_alg" })?.1 ?? "")
        else { return nil }
        self.init(
            logout: ClientLogoutRegistration(
                postLogoutRedirectURIs: pairs.filter { $0.0 == "post_logout_redirect_uri" }.map(\.1),
                backchannelLogoutURI: pairs.first(where: { $0.0 == "backchannel_logout_uri" })?.1,
                backchannelLogoutSessionRequired: pairs.contains(where: { $0 == ("backchannel_logout_session_required", "1") })),
            idTokenSigningAlgorithm: algorithm)
    }
}
