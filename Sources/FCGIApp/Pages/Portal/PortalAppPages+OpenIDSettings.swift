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
            <fieldset id="openid-settings"><legend>Sign-out and ID tokens</legend>
            <label>Post-logout redirect URIs<textarea name="post_logout_redirect_uris" rows="2"\(Layout.errorAttributes(errors["post_logout_redirect_uris"], id: "post_logout_redirect_uris-error"))>\(values.postLogoutRedirectURIs)</textarea>
            <small class="muted">One per line, matched exactly: where the browser may return after signing out at <code>/logout/oidc</code> (https, or http on a loopback address).</small>
            \(Layout.fieldError(errors["post_logout_redirect_uris"], id: "post_logout_redirect_uris-error"))</label>
            \(PortalLayout.field("Back-channel logout URI", name: "backchannel_logout_uri", value: values.backchannelLogoutURI, error: errors["backchannel_logout_uri"], type: "url", maxLength: ClientLogoutRegistration.maximumURILength, hint: "https://… — receives a signed logout token when a session your app was used in ends."))
            <label class="check"><input type="checkbox" name="backchannel_logout_session_required" value="1"\(sessionRequired)> The app needs the session id (<code>sid</code>) in logout tokens</label>
            <label>ID token signing algorithm (<code>id_token_signed_response_alg</code>)<select name="id_token_signed_response_alg"\(Layout.errorAttributes(errors["id_token_signed_response_alg"], id: "id_token_signed_response_alg-error"))>\(option(.rs256, "RS256 (RSA)"))\(option(.es256, "ES256 (P-256)"))</select>
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
                "<code>\($0)</code>\(settings.logout.backchannelLogoutSessionRequired ? HTML(" (sid required)") : "")"
            } ?? "—"
        return """
            <dt>Post-logout redirect URIs</dt><dd class="post-logout-redirect-uris">\(uris.isEmpty ? HTML("—") : HTML("<ul>\(uris)</ul>"))</dd>
            <dt>Back-channel logout</dt><dd class="backchannel-logout-uri">\(backchannel)</dd>
            <dt>ID token signing</dt><dd class="id-token-alg"><code>\(settings.idTokenSigningAlgorithm.rawValue)</code></dd>
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
                outcome = "delivered \(PortalFormat.dateTime(delivered))"
            } else if entry.nextAttemptAt != nil {
                outcome = entry.attempts == 0 ? "waiting" : "retrying"
            } else {
                outcome = "given up"
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
            ? "<p id=\"no-backchannel-logouts\">No back-channel logouts sent yet.</p>"
            : """
            <table id="backchannel-logouts"><thead><tr><th scope="col">Session ended</th><th scope="col">Outcome</th>\
            <th scope="col">Last answer</th><th scope="col">Tries</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return """
            <h2>Back-channel logouts</h2>
            <p>The last \(backchannelDeliveriesShown) logout tokens posted to your back-channel logout URI, in UTC; a failed one is tried again for about an hour. The list reaches this page with the next sync.</p>
            \(table)
            """
    }
}
