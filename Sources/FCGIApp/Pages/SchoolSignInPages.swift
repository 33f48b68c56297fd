import Domain

/// The school admin's sign-in settings page.
enum SchoolSignInPages {
    static func settings(
        session: SignedIn, schoolName: String, providers: [UpstreamProvider], policy: SchoolSignInPolicy, secondFactorPolicy: SecondFactorPolicy,
        badgePolicy: BadgePolicy, domains: [String], directory: SignInDirectory?,
        schoolLink: String, redirectURI: String, notice: Layout.Notice?, problem: String?
    ) -> HTML {
        let samlBase =
            redirectURI.hasSuffix(UpstreamSignInRoutes.callbackPath)
            ? String(redirectURI.dropLast(UpstreamSignInRoutes.callbackPath.count)) : redirectURI
        let rows = providers.map { provider -> HTML in
            let own = provider.schoolID == session.user.schoolID
            let actions: HTML =
                own
                ? """
                <form class="inline" method="post" action="/school/sign-in/providers/\(provider.slug)/test">\(Layout.csrfField(session.csrf))
                <button type="submit" class="secondary">Test this provider</button></form>
                <form class="inline" method="post" action="/school/sign-in/providers/\(provider.slug)/remove">\(Layout.csrfField(session.csrf))
                <button type="submit" class="link">Remove</button></form>
                """
                : "<span class=\"muted\">Set up by the platform</span>"
            let samlMetadata: HTML =
                provider.kind == .saml
                ? " · our metadata: <a class=\"saml-metadata\" href=\"\(SAMLServiceProvider.metadataPath(provider.slug))\">\(SAMLServiceProvider.metadataPath(provider.slug))</a>"
                : ""
            return """
                <tr id="provider-\(provider.slug)"><td>\(provider.name)</td><td>\(kindLabel(provider.kind))\(samlMetadata)</td>
                <td>\(provider.linkRule.summary)\(provider.jitStudents ? "; new students created" : "")</td>
                <td>\(provider.enabled ? "On" : "Off")</td><td>\(actions)</td></tr>
                """
        }
        let providerTable: HTML =
            providers.isEmpty
            ? "<p class=\"muted\" id=\"no-providers\">No providers yet: people sign in with passwords only.</p>"
            : """
            <table id="providers"><thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Linking</th>
            <th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let roleBoxes = SchoolSignInPolicy.restrictableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="password_roles" value="\(role.rawValue)"\(policy.passwordRoles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(role.label)s</label>
            """
        }
        let requiredBoxes = SecondFactorPolicy.requirableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="required_roles" value="\(role.rawValue)"\(secondFactorPolicy.requiredRoles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(role.label)s</label>
            """
        }
        let badgeBoxes = BadgePolicy.allowableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="badge_roles" value="\(role.rawValue)"\(badgePolicy.roles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(role.label)s</label>
            """
        }
        return Layout.page(
            title: "Sign-in settings", session: session, notice: notice,
            """
            <h1>Sign-in at \(schoolName)</h1>
            \(problem.map { "<p class=\"notice bad\" id=\"settings-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <section aria-labelledby="link-title"><h2 id="link-title">Your school's sign-in link</h2>
            <p>Print it for classrooms: it opens the sign-in page with your providers' buttons.</p>
            <p><code id="school-link">\(schoolLink)</code></p></section>

            <section aria-labelledby="providers-title"><h2 id="providers-title">Providers</h2>\(providerTable)
            <details><summary>Add a provider</summary>
            <p>Register this redirect URI at the provider, exactly: <code id="redirect-uri">\(redirectURI)</code>. Scopes: openid email profile.</p>
            <form class="stack" id="add-provider" method="post" action="/school/sign-in/providers">\(Layout.csrfField(session.csrf))
            <label>Kind<select name="kind"><option value="google">Google Workspace</option><option value="entra">Microsoft Entra ID</option>
            <option value="generic">Another OpenID provider</option></select></label>
            <label>Short name (in URLs)<input name="slug" required maxlength="40" pattern="[a-z0-9-]+"></label>
            <label>Button text: Continue with …<input name="name" required maxlength="80"></label>
            <label>Client id<input name="client_id" required maxlength="255" autocomplete="off"></label>
            <label>Client secret<input name="client_secret" type="password" required maxlength="512" autocomplete="off"></label>
            <label>Issuer URL (another OpenID provider)<input name="issuer" type="url" maxlength="512"></label>
            <label>Google: your domains (comma-separated)<input name="domains" maxlength="2000"></label>
            <label>Microsoft: tenant ids (comma-separated)<input name="tenants" maxlength="2000"></label>
            <label>First sign-in finds the person by<select name="link_rule"><option value="email">verified email = roster email</option>
            <option value="sourced-id">a claim = roster sourcedId</option><option value="username">a claim = roster username</option></select></label>
            <label>Claim compared (for sourcedId or username)<input name="link_claim" maxlength="64" placeholder="preferred_username"></label>
            <label class="check"><input type="checkbox" name="jit_students" value="1"> Create students who match nobody (off is safer)</label>
            <button type="submit">Add the provider</button>
            </form></details>
            <details><summary>Add a SAML 2.0 provider (ADFS, Shibboleth, ClassLink, SimpleSAMLphp…)</summary>
            <p>Give the provider our metadata once it is added: <code>\(samlBase)/login/saml/&lt;short name&gt;/metadata</code> (also our entity id;
            answers go to <code>\(samlBase)/login/saml/&lt;short name&gt;/acs</code> by HTTP-POST). Signed assertions are required.</p>
            <form class="stack" id="add-saml-provider" method="post" action="/school/sign-in/saml-providers">\(Layout.csrfField(session.csrf))
            <label>Short name (in URLs)<input name="slug" required maxlength="40" pattern="[a-z0-9-]+"></label>
            <label>Button text: Continue with …<input name="name" required maxlength="80"></label>
            <label>The provider's metadata URL (https)<input name="metadata_url" type="url" maxlength="2048"></label>
            <label>… or paste its metadata<textarea name="metadata" rows="4" maxlength="200000"></textarea></label>
            <label>Entity id (only when the metadata describes several providers)<input name="entity_id" maxlength="512"></label>
            <label>Signatures required<select name="signing"><option value="either">assertion, or response holding it (usual)</option>
            <option value="assertion">assertion</option><option value="response">response</option><option value="both">both</option></select></label>
            <label>NameID format to ask for<select name="name_id_format"><option value="">the provider's default</option>
            <option value="persistent">persistent</option><option value="email">email address</option><option value="unspecified">unspecified</option></select></label>
            <label>First sign-in finds the person by<select name="link_rule"><option value="email">email (NameID or mail attribute) = roster email</option>
            <option value="sourced-id">an attribute = roster sourcedId</option><option value="username">an attribute = roster username</option></select></label>
            <label>Attribute compared (for sourcedId or username; empty: the NameID)<input name="link_attribute" maxlength="64" placeholder="NameID"></label>
            <label class="check"><input type="checkbox" name="jit_students" value="1"> Create students who match nobody (off is safer)</label>
            <button type="submit">Add the SAML provider</button>
            </form></details></section>

            \(DirectoryPages.settings(csrf: session.csrf, directory: directory))

            <section aria-labelledby="policy-title"><h2 id="policy-title">Who may still use a password</h2>
            <form class="stack" id="password-policy" method="post" action="/school/sign-in/policy">\(Layout.csrfField(session.csrf))
            <fieldset><legend>Password sign-in allowed for</legend>\(roleBoxes)</fieldset>
            <p class="muted">Unticked roles sign in with your providers only. Keep school admins ticked until a provider works for you.</p>
            <button type="submit">Save</button>
            </form></section>

            <section aria-labelledby="second-factor-title"><h2 id="second-factor-title">Who must use two-step sign-in</h2>
            <form class="stack" id="second-factor-policy" method="post" action="/school/sign-in/second-factor">\(Layout.csrfField(session.csrf))
            <fieldset><legend>A code from an authenticator app is required for</legend>\(requiredBoxes)</fieldset>
            <p class="muted">Everyone else may turn it on for themselves under Account. People who must have it set it up at their next sign-in.</p>
            <button type="submit">Save</button>
            </form></section>

            <section aria-labelledby="badges-title"><h2 id="badges-title">QR badges</h2>
            <p>A badge is a QR code on a student's sign-in card: scanned with any camera app, it signs its holder in without typing. Whoever
            holds the card (or a photo of it) can sign in, so keep badges to young students and, if you can, to the school's network.</p>
            <form class="stack" id="badge-policy" method="post" action="/school/sign-in/badges">\(Layout.csrfField(session.csrf))
            <fieldset><legend>Badges work for</legend>\(badgeBoxes)</fieldset>
            <label>Only from these networks (CIDR, e.g. 192.0.2.0/24 or 2001:db8:42::/48; one per line; empty: anywhere)
            <textarea name="badge_networks" rows="3" maxlength="4000">\(badgePolicy.networks.map(\.description).joined(separator: "\n"))</textarea></label>
            <button type="submit">Save</button>
            </form></section>

            <section aria-labelledby="domains-title"><h2 id="domains-title">Email domains</h2>
            <p>Someone who types an address of these domains on the sign-in page is sent to your providers.</p>
            <form class="stack" id="email-domains" method="post" action="/school/sign-in/domains">\(Layout.csrfField(session.csrf))
            <label>Domains (comma-separated)<input name="domains" maxlength="2000" value="\(domains.joined(separator: ", "))"></label>
            <button type="submit">Save</button>
            </form></section>
            """)
    }

    private static func kindLabel(_ kind: UpstreamProviderKind) -> String {
        switch kind {
        case .google(let domains): "Google Workspace (\(domains.joined(separator: ", ")))"
        case .entra(let tenants): "Microsoft Entra ID (\(tenants.count) tenant\(tenants.count == 1 ? "" : "s"))"
        case .generic: "OpenID Connect"
        case .saml: "SAML 2.0"
        }
    }
}
