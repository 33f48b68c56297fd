import Domain

extension PortalAppPages {
    /// The app form's OpenID Connect block (issue 20): post-logout redirect URIs and the back-channel logout URI
    /// (RP-Initiated and Back-Channel Logout 1.0), and the ID token signing algorithm. Reviewed with the rest.
    static func openIDSettingsFields(values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        func option(_ algorithm: SigningKeyRecord.Algorithm, _ label: String) -> HTML {
            let selected = values.idTokenSignedResponseAlg == algorithm.rawValue ? HTML(unsafeRaw: " selected") : ""
            return "<option value=\"\(algorithm.rawValue)\"\(selected)>\(label)</option>"
        }
        let sessionRequired = values.backchannelLogoutSessionRequired ? HTML(unsafeRaw: " checked") : ""
        return """
            <fieldset id="openid-settings"><legend>\(L("portal.oidc.legend"))</legend>
            <label>\(L("portal.oidc.post_logout"))<textarea name="post_logout_redirect_uris" rows="2"\(Layout.errorAttributes(errors["post_logout_redirect_uris"], id: "post_logout_redirect_uris-error"))>\(values.postLogoutRedirectURIs)</textarea>
            <small class="muted">\(LH("portal.oidc.post_logout_hint", ["path": "<code>/logout/oidc</code>"]))</small>
            \(Layout.fieldError(errors["post_logout_redirect_uris"], id: "post_logout_redirect_uris-error"))</label>
            \(PortalLayout.field(L("portal.oidc.backchannel_uri"), name: "backchannel_logout_uri", value: values.backchannelLogoutURI, error: errors["backchannel_logout_uri"], type: "url", maxLength: ClientLogoutRegistration.maximumURILength, hint: L("portal.oidc.backchannel_hint")))
            <label class="check"><input type="checkbox" name="backchannel_logout_session_required" value="1"\(sessionRequired)> \(LH("portal.oidc.sid", ["sid": "<code>sid</code>"]))</label>
            <label>\(LH("portal.oidc.alg", ["parameter": "<code>id_token_signed_response_alg</code>"]))<select name="id_token_signed_response_alg"\(Layout.errorAttributes(errors["id_token_signed_response_alg"], id: "id_token_signed_response_alg-error"))>\(option(.rs256, "RS256 (RSA)"))\(option(.es256, "ES256 (P-256)"))</select>
            \(Layout.fieldError(errors["id_token_signed_response_alg"], id: "id_token_signed_response_alg-error"))</label>
            </fieldset>
            """
    }

    /// What review and the credentials page show of the OpenID Connect settings: each URI in full (they decide where
    /// browsers and logout tokens go) and the algorithm.
    static func openIDSettingsContent(_ settings: ApplicationOpenIDSettings) -> HTML {
        let uris = settings.logout.postLogoutRedirectURIs.map { "<li><code>\($0)</code></li>" as HTML }
        let backchannel: HTML =
            settings.logout.backchannelLogoutURI.map {
                "<code>\($0)</code>\(settings.logout.backchannelLogoutSessionRequired ? " (\(L("portal.oidc.sid_required")))" as HTML : "")"
            } ?? "—"
        return """
            <dt>\(L("portal.oidc.post_logout"))</dt><dd class="post-logout-redirect-uris">\(uris.isEmpty ? HTML("—") : HTML("<ul>\(uris)</ul>"))</dd>
            <dt>\(L("portal.oidc.backchannel"))</dt><dd class="backchannel-logout-uri">\(backchannel)</dd>
            <dt>\(L("portal.oidc.signing"))</dt><dd class="id-token-alg"><code>\(settings.idTokenSigningAlgorithm.rawValue)</code></dd>
            """
    }

    /// How many of an app's back-channel logouts its credentials page lists.
    static let backchannelDeliveriesShown = 20

    /// The app's most recent back-channel logouts (copied from the sign-in server by sync): when, how many tries, and
    /// the outcome (the receiver's HTTP status or the error). Never the logout token, which is not stored anywhere.
    static func backchannelDeliveries(_ logouts: [BackchannelLogoutEntry], registered: Bool) -> HTML {
        guard registered || !logouts.isEmpty else { return "" }
        let rows = logouts.map { entry -> HTML in
            let outcome: HTML
            if let delivered = entry.deliveredAt {
                outcome = "\(L("portal.oidc.delivered", ["when": PortalFormat.dateTime(delivered)]))"
            } else if entry.nextAttemptAt != nil {
                outcome = entry.attempts == 0 ? "\(L("portal.oidc.waiting"))" : "\(L("portal.oidc.retrying"))"
            } else {
                outcome = "\(L("portal.oidc.given_up"))"
            }
            let answer: HTML =
                entry.lastStatus.map { "HTTP \($0)" as HTML } ?? entry.lastError.map { "\($0)" as HTML } ?? "—"
            let detail: HTML = entry.lastStatus != nil ? (entry.lastError.map { " (\($0))" as HTML } ?? "") : ""
            return """
                <tr data-logout-id="\(entry.id)"><td>\(PortalFormat.dateTime(entry.createdAt))</td><td class="outcome">\(outcome)</td>\
                <td class="answer">\(answer)\(detail)</td><td class="attempts">\(entry.attempts)</td></tr>
                """
        }
        let table: HTML =
            logouts.isEmpty
            ? "<p id=\"no-backchannel-logouts\">\(L("portal.oidc.none"))</p>"
            : """
            <table id="backchannel-logouts"><thead><tr><th scope="col">\(L("portal.oidc.session_ended"))</th><th scope="col">\(L("portal.oidc.outcome"))</th>\
            <th scope="col">\(L("portal.oidc.last_answer"))</th><th scope="col">\(L("portal.oidc.tries"))</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return """
            <h2>\(L("portal.oidc.logouts"))</h2>
            <p>\(L("portal.oidc.logouts_intro", count: backchannelDeliveriesShown))</p>
            \(table)
            """
    }
}
