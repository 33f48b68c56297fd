import Domain
import Foundation

/// The portal's application pages: the list, the create/edit form with the logo upload, and an app's page
/// with its review status, actions and review log.
enum PortalAppPages {
    /// What the form shows: the fields as typed (or as stored), and the version it edits.
    struct FormValues {
        var name = ""
        var description = ""
        var homepageURL = ""
        var privacyPolicyURL = ""
        var termsURL = ""
        var redirectURIs = ""
        var scopes: [String] = []
        var clientType = "confidential"
        var logoSHA256: String?
        /// The declaration blocks by scope.
        var declarations: [String: DataDeclarationForm] = [:]
        /// Client authentication (private_key_jwt, PAR): `token_endpoint_auth_method`, `jwks`, `jwks_uri`, `require_par`.
        var authMethod = ApplicationClientAuthentication.secretMethod
        var jwks = ""
        var jwksURI = ""
        var requirePAR = false
        var requireDPoP = false
        /// OpenID Connect settings: `post_logout_redirect_uris`, `backchannel_logout_uri`,
        /// `backchannel_logout_session_required`, `id_token_signed_response_alg`.
        var postLogoutRedirectURIs = ""
        var backchannelLogoutURI = ""
        var backchannelLogoutSessionRequired = false
        var idTokenSignedResponseAlg = SigningKeyRecord.Algorithm.rs256.rawValue
        var lti = LTIToolForm()

        init() {}

        init(_ draft: ApplicationDraft) {
            name = draft.name
            description = draft.description
            homepageURL = draft.homepageURL ?? ""
            privacyPolicyURL = draft.privacyPolicyURL ?? ""
            termsURL = draft.termsURL ?? ""
            redirectURIs = draft.redirectURIs.joined(separator: "\n")
            scopes = draft.requestedScopes
            clientType = draft.clientType.rawValue
            logoSHA256 = draft.logoSHA256
            declarations = Dictionary(uniqueKeysWithValues: draft.dataDeclarations.map { ($0.scope, DataDeclarationForm($0)) })
            requirePAR = draft.clientAuthentication.requiresPushedAuthorizationRequests
            requireDPoP = draft.clientAuthentication.requiresDPoPBoundTokens
            switch draft.clientAuthentication.privateKeyJWT?.source {
            case .document(let document):
                authMethod = ClientKeyRegistration.methodName
                jwks = document
            case .uri(let uri):
                authMethod = ClientKeyRegistration.methodName
                jwksURI = uri
            case nil: break
            }
            postLogoutRedirectURIs = draft.openID.logout.postLogoutRedirectURIs.joined(separator: "\n")
            backchannelLogoutURI = draft.openID.logout.backchannelLogoutURI ?? ""
            backchannelLogoutSessionRequired = draft.openID.logout.backchannelLogoutSessionRequired
            idTokenSignedResponseAlg = draft.openID.idTokenSigningAlgorithm.rawValue
            lti = LTIToolForm(draft.lti)
        }

        init(_ form: ApplicationForm) {
            name = form.name
            description = form.description
            homepageURL = form.homepageURL
            privacyPolicyURL = form.privacyPolicyURL
            termsURL = form.termsURL
            redirectURIs = form.redirectURIs
            scopes = form.scopes
            clientType = form.clientType
            logoSHA256 = form.logoSHA256
            declarations = Dictionary(form.declarations.map { ($0.scope, $0) }, uniquingKeysWith: { first, _ in first })
            authMethod = form.tokenEndpointAuthMethod.isEmpty ? ApplicationClientAuthentication.secretMethod : form.tokenEndpointAuthMethod
            jwks = form.jwks
            jwksURI = form.jwksURI
            requirePAR = form.requirePAR
            requireDPoP = form.requireDPoP
            postLogoutRedirectURIs = form.postLogoutRedirectURIs
            backchannelLogoutURI = form.backchannelLogoutURI
            backchannelLogoutSessionRequired = form.backchannelLogoutSessionRequired
            idTokenSignedResponseAlg = form.idTokenSignedResponseAlg
            lti = form.lti
        }
    }

    static func list(session: DeveloperSignedIn, apps: [ApplicationSummary]) -> HTML {
        let rows = apps.map { app -> HTML in
            """
            <tr data-app-id="\(app.id)"><td><a href="/apps/\(app.id)">\(app.name)</a></td><td>\(statusBadge(app.status))\(changeNote(app.changeStage))</td>
            <td>\(PortalFormat.dateTime(app.updatedAt))</td></tr>
            """
        }
        let table: HTML =
            apps.isEmpty
            ? "<p id=\"no-apps\">\(L("portal.apps.none"))</p>"
            : "<table id=\"apps\"><thead><tr><th scope=\"col\">\(L("portal.support.app"))</th><th scope=\"col\">\(L("portal.support.status"))</th><th scope=\"col\">\(L("portal.apps.last_change"))</th></tr></thead><tbody>\(rows)</tbody></table>"
        return PortalLayout.page(
            title: L("portal.apps.title"), session: session,
            """
            <h1>\(L("portal.apps.title"))</h1>
            \(table)
            <p><a class="button" id="new-app" href="/apps/new">\(L("portal.apps.create"))</a></p>
            """)
    }

    /// The create or edit form. `action` is `/apps` or `/apps/{id}/edit`; `version` is the loaded version.
    static func form(
        session: DeveloperSignedIn, title: String, action: String, version: Int64?, values: FormValues,
        errors: SchoolworkForms.FieldErrors, notice: Layout.Notice? = nil, intro: HTML = "", organisationChoice: HTML = ""
    ) -> HTML {
        let registry = ScopeRegistry.standard
        let scopeBoxes = registry.definitions.map { scope -> HTML in
            let checked = values.scopes.contains(scope.name) ? HTML(unsafeRaw: " checked") : ""
            return """
                <label class="check"><input type="checkbox" name="scopes" value="\(scope.name)"\(checked)> <code>\(scope.name)</code> — \(scopeDescription(scope))
                <small class="muted">(\(L("portal.app.scope_facts", ["access": scope.access.rawValue, "sensitivity": sensitivityWord(scope.sensitivity)])))</small></label>
                """
        }
        let types = [
            ("confidential", L("portal.app.type.confidential")), ("public", L("portal.app.type.public")),
        ]
        let typeRadios = types.map { type -> HTML in
            "<label class=\"check\"><input type=\"radio\" name=\"client_type\" value=\"\(type.0)\"\(values.clientType == type.0 ? HTML(unsafeRaw: " checked") : "")> \(type.1)</label>"
        }
        let logo: HTML =
            values.logoSHA256.map {
                "<p>\(L("portal.app.current_logo")): <img class=\"logo\" src=\"/logos/\($0)\" alt=\"\(L("portal.app.current_logo"))\" width=\"64\" height=\"64\"></p><input type=\"hidden\" name=\"logo_sha256\" value=\"\($0)\">"
            } ?? ""
        return PortalLayout.page(
            title: title, session: session, notice: notice,
            """
            <h1>\(title)</h1>\(intro)
            \(errors.isEmpty ? "" : "<p class=\"notice bad\" id=\"form-problems\" role=\"alert\">\(L("portal.app.form_problems"))</p>" as HTML)
            <form class="stack" id="app-form" method="post" action="\(action)" enctype="multipart/form-data">\(Layout.csrfField(session.csrf))
            \(version.map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" as HTML } ?? "")
            \(organisationChoice)
            \(PortalLayout.field(L("portal.teams.name"), name: "name", value: values.name, error: errors["name"], maxLength: ApplicationForm.maximumNameLength, required: true, hint: L("portal.app.name_hint")))
            <label>\(L("portal.app.description"))<textarea name="description" rows="4" maxlength="\(ApplicationForm.maximumDescriptionLength)" aria-describedby="description-error"\(Layout.invalidFlag(errors["description"]))>\(values.description)</textarea>
            <small class="muted">\(L("portal.app.description_hint"))</small>\(Layout.fieldError(errors["description"], id: "description-error"))</label>
            \(PortalLayout.field(L("portal.app.homepage"), name: "homepage_url", value: values.homepageURL, error: errors["homepage_url"], type: "url", maxLength: HTTPSURLRule.maximumLength, hint: "https://…"))
            \(PortalLayout.field(L("portal.app.privacy"), name: "privacy_policy_url", value: values.privacyPolicyURL, error: errors["privacy_policy_url"], type: "url", maxLength: HTTPSURLRule.maximumLength))
            \(PortalLayout.field(L("portal.app.terms_optional"), name: "terms_url", value: values.termsURL, error: errors["terms_url"], type: "url", maxLength: HTTPSURLRule.maximumLength))
            <fieldset><legend>\(L("portal.app.logo"))</legend>\(logo)
            <label>\(L("portal.app.logo_upload", ["kb": PortalFormat.number(LogoImage.maximumBytes / 1024), "size": PortalFormat.number(LogoImage.maximumDimension)]))
            <input type="file" name="logo" accept="image/png,image/jpeg" aria-describedby="logo-error"\(Layout.invalidFlag(errors["logo"]))>\(Layout.fieldError(errors["logo"], id: "logo-error"))</label></fieldset>
            <label>\(L("portal.app.redirect_uris"))<textarea name="redirect_uris" rows="3" aria-describedby="redirect_uris-error"\(Layout.invalidFlag(errors["redirect_uris"]))>\(values.redirectURIs)</textarea>
            <small class="muted">\(L("portal.app.redirect_hint"))</small>
            \(Layout.fieldError(errors["redirect_uris"], id: "redirect_uris-error"))</label>
            <fieldset id="scopes"\(Layout.errorAttributes(errors["scopes"], id: "scopes-error"))><legend>\(L("portal.app.scopes_needed"))</legend>\(scopeBoxes)\(Layout.fieldError(errors["scopes"], id: "scopes-error"))</fieldset>
            \(declarationFields(values: values, errors: errors))
            <fieldset\(Layout.errorAttributes(errors["client_type"], id: "client_type-error"))><legend>\(L("portal.app.client_type"))</legend>\(typeRadios)\(Layout.fieldError(errors["client_type"], id: "client_type-error"))</fieldset>
            \(clientAuthenticationFields(values: values, errors: errors))
            \(openIDSettingsFields(values: values, errors: errors))
            \(ltiFields(values: values, errors: errors))
            <button type="submit">\(L("portal.save"))</button>
            </form>
            """)
    }

    /// The data declaration blocks, one per scope (open for the ticked ones and those with a problem); only the
    /// blocks of ticked scopes are saved.
    private static func declarationFields(values: FormValues, errors: SchoolworkForms.FieldErrors) -> HTML {
        let blocks = ScopeRegistry.standard.definitions.map { scope -> HTML in
            let name = scope.name
            let block = values.declarations[name] ?? DataDeclarationForm(scope: name)
            let error = errors[block.errorKey]
            let open = values.scopes.contains(name) || error != nil
            let retention = DataDeclaration.Retention.choices.map { choice -> HTML in
                "<option value=\"\(choice.kind)\"\(block.retention == choice.kind ? HTML(unsafeRaw: " selected") : "")>\(choice.label)</option>"
            }
            func shares(_ value: String, _ label: String) -> HTML {
                "<label class=\"check\"><input type=\"radio\" name=\"shares.\(name)\" value=\"\(value)\"\(block.shares == value ? HTML(unsafeRaw: " checked") : "")> \(label)</label>"
            }
            let errorID = "declaration-\(name)-error"
            return """
                <details class="declaration" data-scope="\(name)"\(open ? HTML(unsafeRaw: " open") : "")><summary><code>\(name)</code> — \(scopeDescription(scope))</summary>
                <label>\(L("portal.declaration.purpose"))<textarea name="purpose.\(name)" rows="2" maxlength="\(DataDeclaration.maximumPurposeLength)" aria-describedby="\(errorID)">\(block.purpose)</textarea></label>
                <label>\(L("portal.declaration.retention"))<select name="retention.\(name)"><option value="">\(L("portal.choose"))</option>\(retention)</select></label>
                <label>\(L("portal.declaration.days"))<input type="number" min="1" max="\(DataDeclaration.maximumRetentionDays)" name="retention_days.\(name)" value="\(block.retentionDays)"></label>
                <fieldset><legend>\(L("portal.declaration.shares"))</legend>\(shares("no", L("portal.declaration.shares_no")))\(shares("yes", L("portal.declaration.shares_yes")))
                <label>\(L("portal.declaration.processors"))<textarea name="subprocessors.\(name)" rows="2">\(block.subProcessors)</textarea></label></fieldset>
                \(Layout.fieldError(error, id: errorID))</details>
                """
        }
        return """
            <fieldset id="declarations"><legend>\(L("portal.declaration.legend"))</legend>
            <p class="muted">\(L("portal.declaration.intro"))</p>
            \(Layout.fieldError(errors["declarations"], id: "declarations-error"))\(blocks)</fieldset>
            """
    }

    /// An app's page.
    static func detail(
        session: DeveloperSignedIn, app: StoredApplication, history: [ApplicationHistoryEntry], activity: ActivityPage<ApplicationActivity>,
        problems: [String], notice: Layout.Notice?
    ) -> HTML {
        let review = app.review
        let csrf = Layout.csrfField(session.csrf)
        func action(_ path: String, _ label: String, id: String, danger: Bool = false) -> HTML {
            """
            <form class="inline" id="\(id)" method="post" action="/apps/\(app.id)/\(path)">\(csrf)<input type="hidden" name="version" value="\(app.version)"><button\(danger ? HTML(unsafeRaw: " class=\"danger\"") : "") type="submit">\(label)</button></form>
            """
        }
        let edit: HTML = "<a class=\"button\" id=\"edit-app\" href=\"/apps/\(app.id)/edit\">\(L("portal.app.edit"))</a>"
        var actions: [HTML] = []
        var sections: [HTML] = []
        var reason: String?
        switch review.state {
        case .draft(let draft):
            actions = [edit, action("submit", L("portal.app.submit"), id: "submit-app")]
            sections = [content(draft, heading: L("portal.app.heading.draft"))]
        case .submitted(let draft):
            actions = [action("withdraw", L("portal.app.withdraw"), id: "withdraw-app")]
            sections = [content(draft, heading: L("portal.app.heading.submitted"))]
        case .rejected(let draft, let why):
            reason = L("portal.app.reason.rejected", ["reason": why])
            actions = [edit]
            sections = [content(draft, heading: L("portal.app.heading.rejected"))]
        case .approved(let approved):
            sections = [content(approved.live, heading: L("portal.app.heading.live"), granted: approved.grantedScopes)]
            if let change = approved.pendingChange {
                switch change.stage {
                case .draft:
                    actions = [
                        edit, action("submit", L("portal.app.submit_change"), id: "submit-app"),
                        action("discard", L("portal.app.discard_change"), id: "discard-change", danger: true),
                    ]
                case .submitted: actions = [action("withdraw", L("portal.app.withdraw_change"), id: "withdraw-app")]
                case .rejected(let why):
                    reason = L("portal.app.reason.change_rejected", ["reason": why])
                    actions = [edit, action("discard", L("portal.app.discard_change"), id: "discard-change", danger: true)]
                }
                sections.append(content(change.proposal, heading: L("portal.app.heading.pending", ["stage": stageWord(change.stage)])))
            } else {
                actions = [edit]
            }
        case .suspended(let approved, let why):
            reason = L("portal.app.reason.suspended", ["reason": why])
            sections = [content(approved.live, heading: L("portal.app.heading.suspended"), granted: approved.grantedScopes)]
        }
        let live: HTML =
            (review.status == .approved || review.status == .suspended)
            ? """
            <nav class="tabs" aria-label="\(L("portal.support.app"))"><a href="/apps/\(app.id)/credentials">\(L("portal.tab.credentials"))</a><a href="/apps/\(app.id)/keys">\(L("portal.tab.keys"))</a>
            <a href="/apps/\(app.id)/webhooks">\(L("portal.tab.webhooks"))</a><a href="/apps/\(app.id)/analytics">\(L("portal.tab.analytics"))</a></nav>
            """ : ""
        let problemList: HTML =
            problems.isEmpty
            ? ""
            : "<div class=\"notice bad\" id=\"app-problems\" role=\"alert\"><p>\(L("portal.app.problems"))</p><ul>\(problems.map { "<li>\($0)</li>" as HTML })</ul></div>"
        let log = history.map { entry -> HTML in
            let record = entry.record
            let what = record.subject == .pendingChange ? L("portal.app.log.change") + " " : ""
            return """
                <tr><td>\(PortalFormat.dateTime(record.at))</td><td>\(what)\(record.from?.rawValue ?? "—") → \(record.to?.rawValue ?? "—")</td>
                <td>\(entry.actorName)</td><td>\(record.reason ?? "")</td></tr>
                """
        }
        let logo: HTML =
            review.currentContent.logoSHA256.map {
                "<img class=\"logo\" src=\"/logos/\($0)\" alt=\"\" width=\"48\" height=\"48\"> "
            } ?? ""
        return PortalLayout.page(
            title: review.currentContent.name, session: session, notice: notice,
            """
            <h1>\(logo)\(review.currentContent.name) <span id="app-status">\(statusBadge(review.status))</span></h1>
            \(reason.map { "<p class=\"notice bad\" id=\"app-reason\">\($0)</p>" as HTML } ?? "")
            \(problemList)
            <p class="muted" id="app-role">\(L("portal.teams.your_role")): \(app.role.map(PortalTeamPages.roleName) ?? "—")</p>
            <p class="actions" id="app-actions">\(app.role?.permits(.editApp) == true ? actions : [])</p>
            \(live)
            \(sections)
            <section><h2>\(L("portal.app.review_log"))</h2>
            \(history.isEmpty ? "<p>\(L("portal.app.log.none"))</p>" as HTML : "<table id=\"app-history\"><thead><tr><th scope=\"col\">\(L("portal.activity.when"))</th><th scope=\"col\">\(L("portal.app.log.change_column"))</th><th scope=\"col\">\(L("portal.app.log.by"))</th><th scope=\"col\">\(L("portal.app.log.reason"))</th></tr></thead><tbody>\(log)</tbody></table>" as HTML)
            </section>
            <section>\(PortalActivity.application(activity, path: "/apps/\(app.id)"))</section>
            """)
    }

    /// One version of an app's content, as the developer and the reviewer both see it: each scope with its
    /// sensitivity, and marked when the reviewer did not grant it.
    static func content(_ draft: ApplicationDraft, heading: String, granted: [String]? = nil) -> HTML {
        let scopes = draft.requestedScopes.map { name -> HTML in
            let sensitivity =
                ScopeRegistry.standard.definition(named: name).map { sensitivityWord($0.sensitivity) } ?? L("portal.app.sensitivity.unknown")
            let narrowed = granted.map { !$0.contains(name) } ?? false
            return
                "<li><code>\(name)</code> <small>(\(sensitivity))</small>\(narrowed ? " <small>(\(L("portal.app.not_granted")))</small>" as HTML : "")</li>"
        }
        let uris = draft.redirectURIs.map { "<li><code>\($0)</code></li>" as HTML }
        return """
            <section class="app-content"><h2>\(heading)</h2>
            <dl class="facts"><dt>\(L("portal.teams.name"))</dt><dd>\(draft.name)</dd>
            <dt>\(L("portal.app.description"))</dt><dd class="pre">\(draft.description.isEmpty ? "—" : draft.description)</dd>
            <dt>\(L("portal.app.homepage"))</dt><dd>\(draft.homepageURL ?? "—")</dd><dt>\(L("portal.app.privacy"))</dt><dd>\(draft.privacyPolicyURL ?? "—")</dd>
            <dt>\(L("portal.app.terms"))</dt><dd>\(draft.termsURL ?? "—")</dd><dt>\(L("portal.app.client_type"))</dt><dd>\(draft.clientType.rawValue)</dd>
            \(clientAuthenticationContent(draft.clientAuthentication))
            \(openIDSettingsContent(draft.openID))
            \(ltiContent(draft.lti))
            <dt>\(L("portal.app.redirect_uris"))</dt><dd>\(uris.isEmpty ? HTML("—") : HTML("<ul>\(uris)</ul>"))</dd>
            <dt>\(L("portal.app.scopes"))</dt><dd>\(scopes.isEmpty ? HTML("—") : HTML("<ul>\(scopes)</ul>"))</dd>
            <dt>\(L("portal.app.declarations"))</dt><dd>\(declarations(draft))</dd></dl></section>
            """
    }

    /// Each requested scope's declaration as the developer wrote it, and the scopes without one marked.
    static func declarations(_ draft: ApplicationDraft) -> HTML {
        guard !draft.requestedScopes.isEmpty else { return "—" }
        let items = draft.requestedScopes.map { scope -> HTML in
            guard let declaration = draft.dataDeclarations.first(where: { $0.scope == scope }) else {
                return
                    "<li data-scope=\"\(scope)\"><code>\(scope)</code>: <b class=\"bad missing-declaration\">\(L("portal.app.no_declaration"))</b></li>"
            }
            let processors =
                declaration.subProcessors.isEmpty
                ? L("portal.app.processors_none") : declaration.subProcessors.map { "\($0.name) (\($0.country))" }.joined(separator: ", ")
            return """
                <li data-scope="\(scope)"><code>\(scope)</code>: <span class="pre declared-purpose">\(declaration.purpose)</span>
                <br><small>\(L("portal.app.kept")): <span class="declared-retention">\(DataLabel.howLong(declaration.retention))</span>
                \(L("portal.app.processors")): <span class="declared-processors">\(processors)</span></small></li>
                """
        }
        return "<ul class=\"declarations\">\(items)</ul>"
    }

    static func statusBadge(_ status: ApplicationReview.Status) -> HTML {
        "<span class=\"badge \(status.rawValue)\">\(statusWord(status))</span>"
    }

    private static func changeNote(_ stage: PendingChange.Stage?) -> HTML {
        stage.map { " <small>\(L("portal.app.log.change")) \(stageWord($0))</small>" } ?? ""
    }

    private static func stageWord(_ stage: PendingChange.Stage) -> String {
        switch stage {
        case .draft: L("portal.app.stage.draft")
        case .submitted: L("portal.app.stage.submitted")
        case .rejected: L("portal.app.stage.rejected")
        }
    }

    /// A review status in the page's language (the badge's class stays the raw value).
    static func statusWord(_ status: ApplicationReview.Status) -> String {
        switch status {
        case .draft: L("portal.app.status.draft")
        case .submitted: L("portal.app.status.submitted")
        case .approved: L("portal.app.status.approved")
        case .rejected: L("portal.app.status.rejected")
        case .suspended: L("portal.app.status.suspended")
        }
    }

    static func sensitivityWord(_ value: ScopeDefinition.Sensitivity) -> String {
        switch value {
        case .low: L("portal.app.sensitivity.low")
        case .medium: L("portal.app.sensitivity.medium")
        case .high: L("portal.app.sensitivity.high")
        }
    }
}

extension PortalAppPages {
    /// The new-app form's organisation field: the developer's personal organisation (the default) and every other
    /// organisation where their role permits creating apps. Nothing when there is no other choice.
    static func organisationChoice(_ organisations: [OrganisationMembership], chosen: String) -> HTML {
        guard !organisations.isEmpty else { return "" }
        let options = organisations.map { organisation -> HTML in
            let selected = chosen == "\(organisation.id)" ? HTML(unsafeRaw: " selected") : ""
            return
                "<option value=\"\(organisation.id)\"\(selected)>\(organisation.name) (\(PortalTeamPages.roleName(organisation.role).lowercased()))</option>"
        }
        return """
            <label>\(L("portal.teams.organisation"))<select name="organisation" id="app-organisation"><option value="">\(L("portal.app.personal"))</option>\(options)</select>
            <small class="muted">\(L("portal.app.organisation_hint"))</small></label>
            """
    }
}
