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
                <button type="submit" class="secondary">\(L("signin_settings.test"))</button></form>
                <form class="inline" method="post" action="/school/sign-in/providers/\(provider.slug)/remove">\(Layout.csrfField(session.csrf))
                <button type="submit" class="link">\(L("passkeys.remove"))</button></form>
                """
                : "<span class=\"muted\">\(L("signin_settings.by_platform"))</span>"
            let samlMetadata: HTML =
                provider.kind == .saml
                ? " · \(L("signin_settings.our_metadata")) <a class=\"saml-metadata\" href=\"\(SAMLServiceProvider.metadataPath(provider.slug))\">\(SAMLServiceProvider.metadataPath(provider.slug))</a>"
                : ""
            return """
                <tr id="provider-\(provider.slug)"><td>\(provider.name)</td><td>\(kindLabel(provider.kind))\(samlMetadata)</td>
                <td>\(provider.linkRule.summary)\(provider.jitStudents ? L("signin_settings.new_students") : "")</td>
                <td>\(provider.enabled ? L("signin_settings.on") : L("signin_settings.off"))</td><td>\(actions)</td></tr>
                """
        }
        let providerTable: HTML =
            providers.isEmpty
            ? "<p class=\"muted\" id=\"no-providers\">\(L("signin_settings.no_providers"))</p>"
            : """
            <table id="providers"><thead><tr><th scope="col">\(L("passkeys.name"))</th><th scope="col">\(L("signin_settings.kind"))</th><th scope="col">\(L("signin_settings.linking"))</th>
            <th scope="col">\(L("school.users.status"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let roleBoxes = SchoolSignInPolicy.restrictableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="password_roles" value="\(role.rawValue)"\(policy.passwordRoles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(SchoolAdminPages.rolePlural(role))</label>
            """
        }
        let requiredBoxes = SecondFactorPolicy.requirableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="required_roles" value="\(role.rawValue)"\(secondFactorPolicy.requiredRoles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(SchoolAdminPages.rolePlural(role))</label>
            """
        }
        let badgeBoxes = BadgePolicy.allowableRoles.map { role -> HTML in
            """
            <label class="check"><input type="checkbox" name="badge_roles" value="\(role.rawValue)"\(badgePolicy.roles.contains(role) ? HTML(unsafeRaw: " checked") : "")> \(SchoolAdminPages.rolePlural(role))</label>
            """
        }
        return Layout.page(
            title: L("signin_settings.title"), session: session, notice: notice,
            """
            <h1>\(L("signin_settings.heading", ["school": schoolName]))</h1>
            \(problem.map { "<p class=\"notice bad\" id=\"settings-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            <section aria-labelledby="link-title"><h2 id="link-title">\(L("signin_settings.link.title"))</h2>
            <p>\(L("signin_settings.link.intro"))</p>
            <p><code id="school-link">\(schoolLink)</code></p></section>

            <section aria-labelledby="providers-title"><h2 id="providers-title">\(L("signin_settings.providers"))</h2>\(providerTable)
            <details><summary>\(L("signin_settings.add_provider"))</summary>
            <p>\(LH("signin_settings.redirect", ["uri": "<code id=\"redirect-uri\">\(redirectURI)</code>"]))</p>
            <form class="stack" id="add-provider" method="post" action="/school/sign-in/providers">\(Layout.csrfField(session.csrf))
            <label>\(L("signin_settings.kind"))<select name="kind"><option value="google">Google Workspace</option><option value="entra">Microsoft Entra ID</option>
            <option value="generic">\(L("signin_settings.another_openid"))</option></select></label>
            <label>\(L("signin_settings.slug"))<input name="slug" required maxlength="40" pattern="[a-z0-9-]+"></label>
            <label>\(L("signin_settings.button"))<input name="name" required maxlength="80"></label>
            <label>\(L("signin_settings.client_id"))<input name="client_id" required maxlength="255" autocomplete="off"></label>
            <label>\(L("signin_settings.client_secret"))<input name="client_secret" type="password" required maxlength="512" autocomplete="off"></label>
            <label>\(L("signin_settings.issuer"))<input name="issuer" type="url" maxlength="512"></label>
            <label>\(L("signin_settings.google_domains"))<input name="domains" maxlength="2000"></label>
            <label>\(L("signin_settings.tenants"))<input name="tenants" maxlength="2000"></label>
            <label>\(L("signin_settings.finds_by"))<select name="link_rule"><option value="email">\(L("signin_settings.rule.email"))</option>
            <option value="sourced-id">\(L("signin_settings.rule.claim_sourced"))</option><option value="username">\(L("signin_settings.rule.claim_username"))</option></select></label>
            <label>\(L("signin_settings.claim"))<input name="link_claim" maxlength="64" placeholder="preferred_username"></label>
            <label class="check"><input type="checkbox" name="jit_students" value="1"> \(L("signin_settings.jit"))</label>
            <button type="submit">\(L("signin_settings.add_submit"))</button>
            </form></details>
            <details><summary>\(L("signin_settings.add_saml"))</summary>
            <p>\(LH("signin_settings.saml_intro", ["metadata": "<code>\(samlBase)/login/saml/&lt;\(L("signin_settings.slug"))&gt;/metadata</code>", "acs": "<code>\(samlBase)/login/saml/&lt;\(L("signin_settings.slug"))&gt;/acs</code>"]))</p>
            <form class="stack" id="add-saml-provider" method="post" action="/school/sign-in/saml-providers">\(Layout.csrfField(session.csrf))
            <label>\(L("signin_settings.slug"))<input name="slug" required maxlength="40" pattern="[a-z0-9-]+"></label>
            <label>\(L("signin_settings.button"))<input name="name" required maxlength="80"></label>
            <label>\(L("signin_settings.metadata_url"))<input name="metadata_url" type="url" maxlength="2048"></label>
            <label>\(L("signin_settings.metadata_paste"))<textarea name="metadata" rows="4" maxlength="200000"></textarea></label>
            <label>\(L("signin_settings.entity_id"))<input name="entity_id" maxlength="512"></label>
            <label>\(L("signin_settings.signatures"))<select name="signing"><option value="either">\(L("signin_settings.sig.either"))</option>
            <option value="assertion">\(L("signin_settings.sig.assertion"))</option><option value="response">\(L("signin_settings.sig.response"))</option><option value="both">\(L("signin_settings.sig.both"))</option></select></label>
            <label>\(L("signin_settings.nameid"))<select name="name_id_format"><option value="">\(L("signin_settings.nameid.default"))</option>
            <option value="persistent">persistent</option><option value="email">\(L("signin_settings.nameid.email"))</option><option value="unspecified">unspecified</option></select></label>
            <label>\(L("signin_settings.finds_by"))<select name="link_rule"><option value="email">\(L("signin_settings.rule.saml_email"))</option>
            <option value="sourced-id">\(L("signin_settings.rule.attr_sourced"))</option><option value="username">\(L("signin_settings.rule.attr_username"))</option></select></label>
            <label>\(L("signin_settings.attribute"))<input name="link_attribute" maxlength="64" placeholder="NameID"></label>
            <label class="check"><input type="checkbox" name="jit_students" value="1"> \(L("signin_settings.jit"))</label>
            <button type="submit">\(L("signin_settings.add_saml_submit"))</button>
            </form></details></section>

            \(DirectoryPages.settings(csrf: session.csrf, directory: directory))

            <section aria-labelledby="policy-title"><h2 id="policy-title">\(L("signin_settings.password.title"))</h2>
            <form class="stack" id="password-policy" method="post" action="/school/sign-in/policy">\(Layout.csrfField(session.csrf))
            <fieldset><legend>\(L("signin_settings.password.legend"))</legend>\(roleBoxes)</fieldset>
            <p class="muted">\(L("signin_settings.password.note"))</p>
            <button type="submit">\(L("signin_settings.save"))</button>
            </form></section>

            <section aria-labelledby="second-factor-title"><h2 id="second-factor-title">\(L("signin_settings.twostep.title"))</h2>
            <form class="stack" id="second-factor-policy" method="post" action="/school/sign-in/second-factor">\(Layout.csrfField(session.csrf))
            <fieldset><legend>\(L("signin_settings.twostep.legend"))</legend>\(requiredBoxes)</fieldset>
            <p class="muted">\(L("signin_settings.twostep.note"))</p>
            <button type="submit">\(L("signin_settings.save"))</button>
            </form></section>

            <section aria-labelledby="badges-title"><h2 id="badges-title">\(L("signin_settings.badges.title"))</h2>
            <p>\(L("signin_settings.badges.intro"))</p>
            <form class="stack" id="badge-policy" method="post" action="/school/sign-in/badges">\(Layout.csrfField(session.csrf))
            <fieldset><legend>\(L("signin_settings.badges.legend"))</legend>\(badgeBoxes)</fieldset>
            <label>\(L("signin_settings.badges.networks"))
            <textarea name="badge_networks" rows="3" maxlength="4000">\(badgePolicy.networks.map(\.description).joined(separator: "\n"))</textarea></label>
            <button type="submit">\(L("signin_settings.save"))</button>
            </form></section>

            <section aria-labelledby="domains-title"><h2 id="domains-title">\(L("signin_settings.domains.title"))</h2>
            <p>\(L("signin_settings.domains.intro"))</p>
            <form class="stack" id="email-domains" method="post" action="/school/sign-in/domains">\(Layout.csrfField(session.csrf))
            <label>\(L("signin_settings.domains.label"))<input name="domains" maxlength="2000" value="\(domains.joined(separator: ", "))"></label>
            <button type="submit">\(L("signin_settings.save"))</button>
            </form></section>
            """)
    }

    private static func kindLabel(_ kind: UpstreamProviderKind) -> String {
        switch kind {
        case .google(let domains): "Google Workspace (\(domains.joined(separator: ", ")))"
        case .entra(let tenants): "Microsoft Entra ID (\(L("signin_settings.tenants_count", count: tenants.count)))"
        case .generic: "OpenID Connect"
        case .saml: "SAML 2.0"
        }
    }
}
