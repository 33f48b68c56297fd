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
            <td>\(Display.dateTime(app.updatedAt))</td></tr>
            """
        }
        let table: HTML =
            apps.isEmpty
            ? "<p id=\"no-apps\">You have no apps yet. Create one, fill it in, and submit it for review.</p>"
            : "<table id=\"apps\"><thead><tr><th scope=\"col\">App</th><th scope=\"col\">Status</th><th scope=\"col\">Last change</th></tr></thead><tbody>\(rows)</tbody></table>"
        return PortalLayout.page(
            title: "Your apps", session: session,
            """
            <h1>Your apps</h1>
            \(table)
            <p><a class="button" id="new-app" href="/apps/new">Create an app</a></p>
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
                <label class="check"><input type="checkbox" name="scopes" value="\(scope.name)"\(checked)> <code>\(scope.name)</code> — \(scope.description)
                <small class="muted">(\(scope.access.rawValue), \(sensitivityWord(scope.sensitivity)) sensitivity)</small></label>
                """
        }
        let types = [
            ("confidential", "Confidential: a server that keeps a client secret"), ("public", "Public: a browser or mobile app (PKCE, no secret)"),
        ]
        let typeRadios = types.map { type -> HTML in
            "<label class=\"check\"><input type=\"radio\" name=\"client_type\" value=\"\(type.0)\"\(values.clientType == type.0 ? HTML(unsafeRaw: " checked") : "")> \(type.1)</label>"
        }
        let logo: HTML =
            values.logoSHA256.map {
                "<p>Current logo: <img class=\"logo\" src=\"/logos/\($0)\" alt=\"Current logo\" width=\"64\" height=\"64\"></p><input type=\"hidden\" name=\"logo_sha256\" value=\"\($0)\">"
            } ?? ""
        return PortalLayout.page(
            title: title, session: session, notice: notice,
            """
            <h1>\(title)</h1>\(intro)
            \(errors.isEmpty ? "" : HTML("<p class=\"notice bad\" id=\"form-problems\" role=\"alert\">Some fields need attention; see the messages below them.</p>"))
            <form class="stack" id="app-form" method="post" action="\(action)" enctype="multipart/form-data">\(Layout.csrfField(session.csrf))
            \(version.map { "<input type=\"hidden\" name=\"version\" value=\"\($0)\">" as HTML } ?? "")
            \(organisationChoice)
            \(PortalLayout.field("Name", name: "name", value: values.name, error: errors["name"], maxLength: ApplicationForm.maximumNameLength, required: true, hint: "Shown to users on the consent page."))
            <label>Description<textarea name="description" rows="4" maxlength="\(ApplicationForm.maximumDescriptionLength)" aria-describedby="description-error"\(Layout.invalidFlag(errors["description"]))>\(values.description)</textarea>
            <small class="muted">What the app does for schools, in a few sentences.</small>\(Layout.fieldError(errors["description"], id: "description-error"))</label>
            \(PortalLayout.field("Homepage", name: "homepage_url", value: values.homepageURL, error: errors["homepage_url"], type: "url", maxLength: HTTPSURLRule.maximumLength, hint: "https://…"))
            \(PortalLayout.field("Privacy policy", name: "privacy_policy_url", value: values.privacyPolicyURL, error: errors["privacy_policy_url"], type: "url", maxLength: HTTPSURLRule.maximumLength))
            \(PortalLayout.field("Terms of use (optional)", name: "terms_url", value: values.termsURL, error: errors["terms_url"], type: "url", maxLength: HTTPSURLRule.maximumLength))
            <fieldset><legend>Logo</legend>\(logo)
            <label>Upload a PNG or JPEG, at most \(LogoImage.maximumBytes / 1024) KB and \(LogoImage.maximumDimension)×\(LogoImage.maximumDimension) pixels
            <input type="file" name="logo" accept="image/png,image/jpeg" aria-describedby="logo-error"\(Layout.invalidFlag(errors["logo"]))>\(Layout.fieldError(errors["logo"], id: "logo-error"))</label></fieldset>
            <label>Redirect URIs<textarea name="redirect_uris" rows="3" aria-describedby="redirect_uris-error"\(Layout.invalidFlag(errors["redirect_uris"]))>\(values.redirectURIs)</textarea>
            <small class="muted">One per line, exact: https, or http on 127.0.0.1 / [::1] for apps on the user's device. No fragments or wildcards.</small>
            \(Layout.fieldError(errors["redirect_uris"], id: "redirect_uris-error"))</label>
            <fieldset id="scopes"\(Layout.errorAttributes(errors["scopes"], id: "scopes-error"))><legend>Scopes the app needs</legend>\(scopeBoxes)\(Layout.fieldError(errors["scopes"], id: "scopes-error"))</fieldset>
            \(declarationFields(values: values, errors: errors))
            <fieldset\(Layout.errorAttributes(errors["client_type"], id: "client_type-error"))><legend>Client type</legend>\(typeRadios)\(Layout.fieldError(errors["client_type"], id: "client_type-error"))</fieldset>
            \(clientAuthenticationFields(values: values, errors: errors))
            \(openIDSettingsFields(values: values, errors: errors))
            \(ltiFields(values: values, errors: errors))
            <button type="submit">Save</button>
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
                <details class="declaration" data-scope="\(name)"\(open ? HTML(unsafeRaw: " open") : "")><summary><code>\(name)</code> — \(scope.description)</summary>
                <label>Why the app needs this data<textarea name="purpose.\(name)" rows="2" maxlength="\(DataDeclaration.maximumPurposeLength)" aria-describedby="\(errorID)">\(block.purpose)</textarea></label>
                <label>How long it is kept<select name="retention.\(name)"><option value="">Choose…</option>\(retention)</select></label>
                <label>Number of days (for a set number of days)<input type="number" min="1" max="\(DataDeclaration.maximumRetentionDays)" name="retention_days.\(name)" value="\(block.retentionDays)"></label>
                <fieldset><legend>Does this data go to sub-processors (other companies working for you)?</legend>\(shares("no", "No, it stays with us"))\(shares("yes", "Yes, to these:"))
                <label>Sub-processors, one per line as: Name, Country<textarea name="subprocessors.\(name)" rows="2">\(block.subProcessors)</textarea></label></fieldset>
                \(Layout.fieldError(error, id: errorID))</details>
                """
        }
        return """
            <fieldset id="declarations"><legend>What the app does with the data</legend>
            <p class="muted">For every scope you tick, say why the app needs the data, how long it keeps it and whether it goes to
            sub-processors. Families see this on the consent page and schools on their app page; it is reviewed with the app.</p>
            \(Layout.fieldError(errors["declarations"], id: "declarations-error"))\(blocks)</fieldset>
            """
    }

    /// An app's page.
    static func detail(
        session: DeveloperSignedIn, app: StoredApplication, history: [ApplicationHistoryEntry], activity: [ActivityEntry<ApplicationActivity>],
        problems: [String], notice: Layout.Notice?
    ) -> HTML {
        let review = app.review
        let csrf = Layout.csrfField(session.csrf)
        func action(_ path: String, _ label: String, id: String, danger: Bool = false) -> HTML {
            """
            <form class="inline" id="\(id)" method="post" action="/apps/\(app.id)/\(path)">\(csrf)<input type="hidden" name="version" value="\(app.version)"><button\(danger ? HTML(unsafeRaw: " class=\"danger\"") : "") type="submit">\(label)</button></form>
            """
        }
        let edit: HTML = "<a class=\"button\" id=\"edit-app\" href=\"/apps/\(app.id)/edit\">Edit</a>"
        var actions: [HTML] = []
        var sections: [HTML] = []
        var reason: String?
        switch review.state {
        case .draft(let draft):
            actions = [edit, action("submit", "Submit for review", id: "submit-app")]
            sections = [content(draft, heading: "Draft")]
        case .submitted(let draft):
            actions = [action("withdraw", "Withdraw to edit", id: "withdraw-app")]
            sections = [content(draft, heading: "Submitted for review")]
        case .rejected(let draft, let why):
            reason = "Rejected: \(why)"
            actions = [edit]
            sections = [content(draft, heading: "Rejected version")]
        case .approved(let approved):
            sections = [content(approved.live, heading: "Live version", granted: approved.grantedScopes)]
            if let change = approved.pendingChange {
                switch change.stage {
                case .draft:
                    actions = [
                        edit, action("submit", "Submit the change for review", id: "submit-app"),
                        action("discard", "Discard the change", id: "discard-change", danger: true),
                    ]
                case .submitted: actions = [action("withdraw", "Withdraw the change", id: "withdraw-app")]
                case .rejected(let why):
                    reason = "The change was rejected: \(why)"
                    actions = [edit, action("discard", "Discard the change", id: "discard-change", danger: true)]
                }
                sections.append(content(change.proposal, heading: "Pending change (\(stageWord(change.stage)))"))
            } else {
                actions = [edit]
            }
        case .suspended(let approved, let why):
            reason = "Suspended: \(why)"
            sections = [content(approved.live, heading: "Suspended version", granted: approved.grantedScopes)]
        }
        let live: HTML =
            (review.status == .approved || review.status == .suspended)
            ? """
            <nav class="tabs" aria-label="App"><a href="/apps/\(app.id)/credentials">Credentials</a><a href="/apps/\(app.id)/keys">API keys</a>
            <a href="/apps/\(app.id)/webhooks">Webhooks</a><a href="/apps/\(app.id)/analytics">Analytics</a></nav>
            """ : ""
        let problemList: HTML =
            problems.isEmpty
            ? ""
            : "<div class=\"notice bad\" id=\"app-problems\" role=\"alert\"><p>This cannot be done yet:</p><ul>\(problems.map { "<li>\($0)</li>" as HTML })</ul></div>"
        let log = history.map { entry -> HTML in
            let record = entry.record
            let what = record.subject == .pendingChange ? "change " : ""
            return """
                <tr><td>\(Display.dateTime(record.at))</td><td>\(what)\(record.from?.rawValue ?? "—") → \(record.to?.rawValue ?? "—")</td>
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
            <p class="muted" id="app-role">Your role: \(app.role?.label ?? "—")</p>
            <p class="actions" id="app-actions">\(app.role?.permits(.editApp) == true ? actions : [])</p>
            \(live)
            \(sections)
            <section><h2>Review log</h2>
            \(history.isEmpty ? HTML("<p>No status changes yet.</p>") : HTML("<table id=\"app-history\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Change</th><th scope=\"col\">By</th><th scope=\"col\">Reason</th></tr></thead><tbody>\(log)</tbody></table>"))
            </section>
            <section>\(PortalActivity.application(activity))</section>
            """)
    }

    /// One version of an app's content, as the developer and the reviewer both see it: each scope with its
    /// sensitivity, and marked when the reviewer did not grant it.
    static func content(_ draft: ApplicationDraft, heading: String, granted: [String]? = nil) -> HTML {
        let scopes = draft.requestedScopes.map { name -> HTML in
            let sensitivity = ScopeRegistry.standard.definition(named: name).map { sensitivityWord($0.sensitivity) } ?? "unknown"
            let narrowed = granted.map { !$0.contains(name) } ?? false
            return "<li><code>\(name)</code> <small>(\(sensitivity))</small>\(narrowed ? HTML(" <small>(not granted)</small>") : "")</li>"
        }
        let uris = draft.redirectURIs.map { "<li><code>\($0)</code></li>" as HTML }
        return """
            <section class="app-content"><h2>\(heading)</h2>
            <dl class="facts"><dt>Name</dt><dd>\(draft.name)</dd>
            <dt>Description</dt><dd class="pre">\(draft.description.isEmpty ? "—" : draft.description)</dd>
            <dt>Homepage</dt><dd>\(draft.homepageURL ?? "—")</dd><dt>Privacy policy</dt><dd>\(draft.privacyPolicyURL ?? "—")</dd>
            <dt>Terms</dt><dd>\(draft.termsURL ?? "—")</dd><dt>Client type</dt><dd>\(draft.clientType.rawValue)</dd>
            \(clientAuthenticationContent(draft.clientAuthentication))
            \(openIDSettingsContent(draft.openID))
            \(ltiContent(draft.lti))
            <dt>Redirect URIs</dt><dd>\(uris.isEmpty ? HTML("—") : HTML("<ul>\(uris)</ul>"))</dd>
            <dt>Scopes</dt><dd>\(scopes.isEmpty ? HTML("—") : HTML("<ul>\(scopes)</ul>"))</dd>
            <dt>Data declarations</dt><dd>\(declarations(draft))</dd></dl></section>
            """
    }

    /// Each requested scope's declaration as the developer wrote it, and the scopes without one marked.
    static func declarations(_ draft: ApplicationDraft) -> HTML {
        guard !draft.requestedScopes.isEmpty else { return "—" }
        let items = draft.requestedScopes.map { scope -> HTML in
            guard let declaration = draft.dataDeclarations.first(where: { $0.scope == scope }) else {
                return "<li data-scope=\"\(scope)\"><code>\(scope)</code>: <b class=\"bad missing-declaration\">no declaration</b></li>"
            }
            let processors =
                declaration.subProcessors.isEmpty
                ? "none" : declaration.subProcessors.map { "\($0.name) (\($0.country))" }.joined(separator: ", ")
            return """
                <li data-scope="\(scope)"><code>\(scope)</code>: <span class="pre declared-purpose">\(declaration.purpose)</span>
                <br><small>Kept: <span class="declared-retention">\(DataLabel.howLong(declaration.retention))</span>
                Sub-processors: <span class="declared-processors">\(processors)</span></small></li>
                """
        }
        return "<ul class=\"declarations\">\(items)</ul>"
    }

    static func statusBadge(_ status: ApplicationReview.Status) -> HTML {
        "<span class=\"badge \(status.rawValue)\">\(status.rawValue)</span>"
    }

    private static func changeNote(_ stage: PendingChange.Stage?) -> HTML {
        stage.map { " <small>change \(stageWord($0))</small>" } ?? ""
    }

    private static func stageWord(_ stage: PendingChange.Stage) -> String {
        switch stage {
        case .draft: "draft"
        case .submitted: "in review"
        case .rejected: "rejected"
        }
    }

    static func sensitivityWord(_ value: ScopeDefinition.Sensitivity) -> String {
        switch value {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
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
            return "<option value=\"\(organisation.id)\"\(selected)>\(organisation.name) (\(organisation.role.label.lowercased()))</option>"
        }
        return """
            <label>Organisation<select name="organisation" id="app-organisation"><option value="">Personal (just you)</option>\(options)</select>
            <small class="muted">Who owns the app: its members see it, with the rights of their role. An app never moves to another organisation.</small></label>
            """
    }
}
