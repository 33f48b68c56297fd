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
            <fieldset id="client-authentication"\(Layout.errorAttributes(errors["token_endpoint_auth_method"], id: "token_endpoint_auth_method-error"))><legend>\(L("portal.auth.legend"))</legend>
            \(radio(ApplicationClientAuthentication.secretMethod, LH("portal.auth.secrets", ["basic": "<code>client_secret_basic</code>", "post": "<code>client_secret_post</code>"])))
            \(radio(ClientKeyRegistration.methodName, LH("portal.auth.assertions", ["method": "<code>private_key_jwt</code>"])))
            \(Layout.fieldError(errors["token_endpoint_auth_method"], id: "token_endpoint_auth_method-error"))
            <label>\(LH("portal.auth.jwks", ["method": "<code>private_key_jwt</code>"]))<textarea name="jwks" rows="4" maxlength="\(ClientKeySet.maximumDocumentLength)"\(Layout.errorAttributes(errors["jwks"], id: "jwks-error"))>\(values.jwks)</textarea>
            <small class="muted">\(LH("portal.auth.jwks_hint", ["example": "<code>{\"keys\": [...]}</code>"]))</small>
            \(Layout.fieldError(errors["jwks"], id: "jwks-error"))</label>
            \(PortalLayout.field(L("portal.auth.jwks_uri"), name: "jwks_uri", value: values.jwksURI, error: errors["jwks_uri"], type: "url", maxLength: ClientKeyRegistration.maximumURILength, hint: L("portal.auth.jwks_uri_hint")))
            <label class="check"><input type="checkbox" name="require_par" value="1"\(par)> \(LH("portal.auth.par", ["path": "<code>/api/oauth/par</code>"]))</label>
            <label class="check"><input type="checkbox" name="dpop_bound_access_tokens" value="1"\(dpop)> \(L("portal.auth.dpop"))</label>
            </fieldset>
            """
    }
}

extension PortalAppPages {
    /// The credentials page's facts about client authentication: the method, where the keys are, PAR.
    static func clientAuthenticationFacts(_ setting: ApplicationClientAuthentication) -> HTML {
        let method: HTML
        switch setting.privateKeyJWT?.source {
        case .document: method = LH("portal.auth.fact.document", ["method": "<code>private_key_jwt</code>"])
        case .uri(let uri): method = LH("portal.auth.fact.uri", ["method": "<code>private_key_jwt</code>", "uri": "<code>\(uri)</code>"])
        case nil: method = "\(L("portal.auth.fact.secrets"))"
        }
        return """
            <dt>\(L("portal.auth.client_authentication"))</dt><dd id="client-authentication">\(method)</dd>
            <dt>\(L("portal.auth.par_title"))</dt><dd id="par-requirement">\(setting.requiresPushedAuthorizationRequests ? L("portal.auth.required") : L("portal.auth.optional"))</dd>
            <dt>\(L("portal.auth.dpop_title"))</dt><dd id="dpop-requirement">\(setting.requiresDPoPBoundTokens ? L("portal.auth.required") : L("portal.auth.dpop_as_asked"))</dd>
            """
    }
}

extension PortalAppPages {
    /// What review sees of client authentication: the method, the keys (each `kid` with its type, and the whole
    /// JWK Set) or the `jwks_uri`, and the PAR requirement. Keys decide who can act as the app, so they are shown in full.
    static func clientAuthenticationContent(_ setting: ApplicationClientAuthentication) -> HTML {
        let keys: HTML
        switch setting.privateKeyJWT?.source {
        case nil: keys = "\(L("portal.auth.fact.secrets"))"
        case .uri(let uri): keys = LH("portal.auth.fact.fetched", ["method": "<code>private_key_jwt</code>", "uri": "<code>\(uri)</code>"])
        case .document(let document):
            let kids = ((try? ClientKeySet(document: document))?.keys ?? []).map { $0.kid.isEmpty ? L("portal.auth.no_kid") : $0.kid }
            keys = """
                <code>private_key_jwt</code>, \(L("portal.auth.registered_keys", count: kids.count)) (kid: \(kids.joined(separator: ", ")))
                <details><summary>JWK Set</summary><pre class="jwks">\(document)</pre></details>
                """
        }
        return """
            <dt>\(L("portal.auth.client_authentication"))</dt><dd class="client-authentication">\(keys)</dd>
            <dt>\(L("portal.auth.par_title"))</dt><dd>\(setting.requiresPushedAuthorizationRequests ? L("portal.auth.required") : L("portal.auth.optional"))</dd>
            <dt>\(L("portal.auth.dpop_title"))</dt><dd>\(setting.requiresDPoPBoundTokens ? L("portal.auth.required") : L("portal.auth.dpop_not_required"))</dd>
            """
    }
}
