import Domain

extension PortalAppPages {
    /// The app form's LTI 1.3 block (issue 19 item 2): the "this app is an LTI tool" box, the OIDC login initiation
    /// URL, the target link URI and the launch redirect URIs. The tool's keys are the private_key_jwt block's.
    static func ltiFields(values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        typealias Field = LTIToolSettings.Field
        let checked = values.lti.isTool ? HTML(unsafeRaw: " checked") : ""
        return """
            <fieldset id="lti-tool"><legend>\(L("lti.form.legend"))</legend>
            <label class="check"><input type="checkbox" name="\(Field.isTool)" value="1"\(checked)> \(L("lti.form.is_tool"))</label>
            <p class="muted">\(L("lti.form.intro"))</p>
            \(PortalLayout.field(L("lti.form.login_initiation_url"), name: Field.loginInitiationURL, value: values.lti.loginInitiationURL, error: errors[Field.loginInitiationURL], type: "url", maxLength: HTTPSURLRule.maximumLength, hint: "https://…"))
            \(PortalLayout.field(L("lti.form.target_link_uri"), name: Field.targetLinkURI, value: values.lti.targetLinkURI, error: errors[Field.targetLinkURI], type: "url", maxLength: HTTPSURLRule.maximumLength, hint: "https://…"))
            <label>\(L("lti.form.redirect_uris"))<textarea name="\(Field.redirectURIs)" rows="2"\(Layout.errorAttributes(errors[Field.redirectURIs], id: "\(Field.redirectURIs)-error"))>\(values.lti.redirectURIs)</textarea>
            <small class="muted">\(L("lti.form.redirect_uris_hint"))</small>
            \(Layout.fieldError(errors[Field.redirectURIs], id: "\(Field.redirectURIs)-error"))</label>
            \(PortalLayout.field(L("lti.form.deep_linking_url"), name: Field.deepLinkingURL, value: values.lti.deepLinkingURL, error: errors[Field.deepLinkingURL], type: "url", maxLength: HTTPSURLRule.maximumLength, hint: L("lti.form.deep_linking_url_hint")))
            </fieldset>
            """
    }

    /// What review and the credentials page show of an LTI tool's registration: each address in full (they decide
    /// where launches send the browser and the id_token). Nothing for an app that is not a tool.
    static func ltiContent(_ settings: LTIToolSettings?) -> HTML {
        guard let settings else { return "" }
        func code(_ text: String) -> HTML { text.isEmpty ? "—" : "<code>\(text)</code>" }
        let uris = settings.redirectURIs.map { "<li><code>\($0)</code></li>" as HTML }
        return """
            <dt>\(L("lti.content.tool"))</dt><dd class="lti-tool">\(L("lti.content.yes"))</dd>
            <dt>\(L("lti.form.login_initiation_url"))</dt><dd class="lti-login-initiation-url">\(code(settings.loginInitiationURL))</dd>
            <dt>\(L("lti.form.target_link_uri"))</dt><dd class="lti-target-link-uri">\(code(settings.targetLinkURI))</dd>
            <dt>\(L("lti.form.redirect_uris"))</dt><dd class="lti-redirect-uris">\(uris.isEmpty ? HTML("—") : HTML("<ul>\(uris)</ul>"))</dd>
            <dt>\(L("lti.form.deep_linking_url"))</dt><dd class="lti-deep-linking-url">\(code(settings.deepLinkingURL))</dd>
            """
    }
}
