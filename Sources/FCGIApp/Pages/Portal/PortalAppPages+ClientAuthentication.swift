import Domain

extension PortalAppPages {
    /// The app form's client authentication block (issue 20): client secrets or `private_key_jwt` with a pasted JWK Set
    /// or a `jwks_uri` (RFC 7523, OIDC Core §9), the PAR requirement (RFC 9126 §6) and DPoP-bound tokens (RFC 9449
    /// §5.2). Reviewed with the rest.
    static func clientAuthenticationFields(values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        func radio(_ value: String, _ label: HTML) -> HTML {
            let checked = values.authMethod == value ? HTML(unsafeRaw: " checked") : ""
            return "<label class=\"check\"><input type=\"radio\" name=\"token_endpoint_auth_method\" value=\"\(value)\"\(checked)> \(label)</label>"
        }
        let par = values.requirePAR ? HTML(unsafeRaw: " checked") : ""
        let dpop = values.requireDPoP ? HTML(unsafeRaw: " checked") : ""
        return """
            <fieldset id="client-authentication"\(Layout.errorAttributes(errors["token_endpoint_auth_method"], id: "token_endpoint_auth_method-error"))><legend>How the app's server signs in to CatalystWells</legend>
            \(radio(ApplicationClientAuthentication.secretMethod, "Client secrets (<code>client_secret_basic</code> or <code>client_secret_post</code>), made on the credentials page"))
            \(radio(ClientKeyRegistration.methodName, "Signed assertions (<code>private_key_jwt</code>) with a key of the public key set below"))
            \(Layout.fieldError(errors["token_endpoint_auth_method"], id: "token_endpoint_auth_method-error"))
            <label>Public JWK Set (for <code>private_key_jwt</code>)<textarea name="jwks" rows="4" maxlength="\(ClientKeySet.maximumDocumentLength)"\(Layout.errorAttributes(errors["jwks"], id: "jwks-error"))>\(values.jwks)</textarea>
            <small class="muted">Paste <code>{"keys": [...]}</code> with RSA (2048 bits or more) or P-256 public keys; never the private key. Or give a URL instead:</small>
            \(Layout.fieldError(errors["jwks"], id: "jwks-error"))</label>
            \(PortalLayout.field("JWK Set URL (jwks_uri)", name: "jwks_uri", value: values.jwksURI, error: errors["jwks_uri"], type: "url", maxLength: ClientKeyRegistration.maximumURILength, hint: "https://… — fetched when an assertion names a key we do not have yet."))
            <label class="check"><input type="checkbox" name="require_par" value="1"\(par)> Accept sign-in requests only through the pushed authorization request endpoint (PAR, <code>/api/oauth/par</code>)</label>
            <label class="check"><input type="checkbox" name="dpop_bound_access_tokens" value="1"\(dpop)> Confidential app: issue only DPoP-bound tokens (every token request carries a DPoP proof; a public app's tokens always are)</label>
            </fieldset>
            """
    }
}

extension PortalAppPages {
    /// The credentials page's facts about client authentication: the method, where the keys are, PAR.
    static func clientAuthenticationFacts(_ setting: ApplicationClientAuthentication) -> HTML {
        let method: HTML
        switch setting.privateKeyJWT?.source {
        case .document: method = "<code>private_key_jwt</code>, keys of the JWK Set on the app form"
        case .uri(let uri): method = "<code>private_key_jwt</code>, keys from <code>\(uri)</code>"
        case nil: method = "client secrets"
        }
        return """
            <dt>Client authentication</dt><dd id="client-authentication">\(method)</dd>
            <dt>Pushed authorization requests</dt><dd id="par-requirement">\(setting.requiresPushedAuthorizationRequests ? "required" : "optional")</dd>
            <dt>DPoP-bound tokens</dt><dd id="dpop-requirement">\(setting.requiresDPoPBoundTokens ? "required" : "as the app asks (public apps: required)")</dd>
            """
    }
}

extension PortalAppPages {
    /// What review sees of client authentication: the method, the keys (each `kid` with its type, and the whole
    /// JWK Set) or the `jwks_uri`, and the PAR requirement. Keys decide who can act as the app, so they are shown in full.
    static func clientAuthenticationContent(_ setting: ApplicationClientAuthentication) -> HTML {
        let keys: HTML
        switch setting.privateKeyJWT?.source {
        case nil: keys = "client secrets"
        case .uri(let uri): keys = "<code>private_key_jwt</code>, keys fetched from <code>\(uri)</code>"
        case .document(let document):
            let kids = ((try? ClientKeySet(document: document))?.keys ?? []).map { $0.kid.isEmpty ? "(no kid)" : $0.kid }
            keys = """
                <code>private_key_jwt</code>, \(kids.count) registered key\(kids.count == 1 ? "" : "s") (kid: \(kids.joined(separator: ", ")))
                <details><summary>JWK Set</summary><pre class="jwks">\(document)</pre></details>
                """
        }
        return """
            <dt>Client authentication</dt><dd class="client-authentication">\(keys)</dd>
            <dt>Pushed authorization requests</dt><dd>\(setting.requiresPushedAuthorizationRequests ? "required" : "optional")</dd>
            <dt>DPoP-bound tokens</dt><dd>\(setting.requiresDPoPBoundTokens ? "required" : "not required by this setting")</dd>
            """
    }
}
