import Domain

/// `/school/apps`: every approved app, its developer, scopes and data label, the school's agreement with it and
/// the school's decision about it; and the school's agreement settings.
enum SchoolAppsPages {
    /// What the list shows besides the apps.
    struct Context {
        var agreements: [ClientID: AppAgreement] = [:]
        var declarations: [ClientID: [DataDeclaration]] = [:]
        var settings: AgreementSettings = .default
        /// How grades from apps reach the school's gradebooks.
        var appResults: AppResultsPublication = .draft
        var today: CalendarDate
        /// A refused agreement form: the client it was for, its problems and values.
        var agreementProblems: (client: ClientID, errors: SchoolworkForms.FieldErrors, form: AppAgreementForm)?
    }

    static func list(session: SignedIn, entries: [SchoolAppEntry], notice: Layout.Notice?, context: Context) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let rows = entries.map { entry -> HTML in
            let client = entry.client
            let id = client.clientID.rawValue
            let offered = ScopeRegistry.standard.definitions(of: client.allowedScopes)
            let agreement = context.agreements[client.clientID]
            // First-party clients (the installation's own) need no agreement.
            let requiresAgreement = context.settings.requireAgreement && !client.firstParty
            let decision: HTML =
                switch entry.policy?.status {
                case .blocked: "<b class=\"bad\">\(L("apps.blocked"))</b>"
                case .allowed: entry.policy?.scopeLimit == nil ? "\(L("apps.allowed"))" : "\(L("apps.allowed_limited"))"
                case nil:
                    requiresAgreement
                        ? "<b class=\"bad\">\(L("apps.blocked"))</b> <small class=\"muted\">\(L("apps.no_decision"))</small>"
                        : "\(L("apps.allowed")) <small class=\"muted\">\(L("apps.default"))</small>"
                }
            let limit = entry.policy?.scopeLimit
            let boxes = offered.map { scope -> HTML in
                let checked = limit.map { $0.contains(scope.name) } ?? true
                return """
                    <label class="scope"><input type="checkbox" name="scope" value="\(scope.name)"\(checked ? HTML(unsafeRaw: " checked") : "")> \
                    \(scopeDescription(scope)) <small class="muted">(\(scope.name))</small></label>
                    """
            }
            let blocked = entry.policy?.status == .blocked || (entry.policy == nil && requiresAgreement)
            let status = entry.policy?.status.rawValue ?? (requiresAgreement ? "blocked" : "default")
            let pending: HTML =
                entry.pendingRequests > 0
                ? "<br><small>\(L("apps.requests", count: entry.pendingRequests))</small>" : ""
            let declarations = context.declarations[client.clientID] ?? []
            let label: HTML =
                declarations.isEmpty
                ? "<p class=\"muted\"><small>\(L("apps.not_declared"))</small></p>"
                : """
                <details class="app-data-label"><summary>\(L("apps.what_with_data"))</summary>\(DataLabelPages.label(DataLabel(scopes: offered, declarations: declarations, developer: client.developerName), id: "data-label-\(id)"))</details>
                """
            return """
                <tr data-client-id="\(id)" data-status="\(status)" data-pending="\(entry.pendingRequests)"><td><b>\(client.name)</b><br><small>\(L("apps.by", ["developer": client.developerName]))\
                \(client.verified ? " · " + L("apps.verified") : "")</small>\(label)</td>
                <td>\(decision)\(pending)<br>\(agreementCell(agreement, client: client, session: session, context: context))</td>
                <td><form method="post" action="/school/apps/\(FormCodec.encode(id))">\(csrf)
                <fieldset><legend>\(L("apps.scopes_legend"))</legend>\(boxes)</fieldset>
                <label><input type="radio" name="status" value="allowed"\(blocked ? "" : HTML(unsafeRaw: " checked"))> \(L("apps.allowed"))</label>
                <label><input type="radio" name="status" value="blocked"\(blocked ? HTML(unsafeRaw: " checked") : "")> \(L("apps.blocked"))</label>
                <button type="submit">\(L("signin_settings.save"))</button></form></td></tr>
                """
        }
        let settings = context.settings
        return Layout.page(
            title: L("apps.title"), session: session, notice: notice,
            """
            <h1>\(L("apps.title"))</h1>
            <p>\(L("apps.school.intro"))</p>
            <form class="stack" method="post" action="/school/agreement-settings" id="agreement-settings">\(csrf)
            <fieldset><legend>\(L("apps.agreements_legend"))</legend>
            <label class="check"><input type="checkbox" name="require_agreement" value="1"\(settings.requireAgreement ? HTML(unsafeRaw: " checked") : "")>
            \(L("apps.require_agreement"))</label>
            <label class="check"><input type="checkbox" name="block_on_expiry" value="1"\(settings.blockOnExpiry ? HTML(unsafeRaw: " checked") : "")>
            \(L("apps.block_on_expiry", count: AgreementExpiry.warningDays))</label>
            <button type="submit">\(L("apps.save_agreement_settings"))</button></fieldset></form>
            <form class="stack" method="post" action="/school/gradebook-settings" id="gradebook-settings">\(csrf)
            <fieldset><legend>\(L("apps.grades_legend"))</legend>
            <p class="muted">\(L("apps.grades_intro"))</p>
            \(appResultChoices(context.appResults))
            <button type="submit">\(L("apps.save_gradebook"))</button></fieldset></form>
            <table id="school-apps"><thead><tr><th scope="col">\(L("apps.app"))</th><th scope="col">\(L("apps.decision_column"))</th><th scope="col">\(L("apps.change"))</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }

    /// One radio button per ``AppResultsPublication``, the school's choice ticked.
    private static func appResultChoices(_ current: AppResultsPublication) -> HTML {
        HTML(
            AppResultsPublication.allCases.map { choice -> HTML in
                """
                <label class="check"><input type="radio" name="app_results" value="\(choice.rawValue)"\(choice == current ? HTML(unsafeRaw: " checked") : "")> \
                \(choice == .draft ? L("apps.results.draft") : L("apps.results.published"))</label>
                """
            })
    }

    /// The agreement's summary, its document link and the form to record or renew it.
    private static func agreementCell(_ agreement: AppAgreement?, client: OAuthClient, session: SignedIn, context: Context) -> HTML {
        let id = client.clientID.rawValue
        let refused = context.agreementProblems?.client == client.clientID ? context.agreementProblems : nil
        let form =
            refused?.form
            ?? AppAgreementForm(
                kind: agreement?.kind ?? "", signedOn: agreement?.signedOn.description ?? "", expiresOn: agreement?.expiresOn?.description ?? "")
        let errors = refused?.errors ?? [:]
        let summary: HTML
        if let agreement {
            let state: HTML =
                agreement.isCurrent(on: context.today)
                ? "<span class=\"agreement-current\">\(L("apps.agreement.current"))</span>"
                : "<b class=\"bad agreement-expired\">\(L("apps.agreement.not_in_force"))</b>"
            let document: HTML =
                agreement.document.map {
                    " · <a class=\"agreement-document\" href=\"/school/agreements/\(FormCodec.encode(id))/document\">\(L("apps.agreement.signed_pdf"))</a> <small>(\(SchoolAdminPages.number($0.size / 1024 + 1)) KB)</small>"
                } ?? ""
            summary = """
                <div class="agreement" data-agreement="\(id)"><b>\(L("apps.agreement.label"))</b> <span class="agreement-kind">\(agreement.kind)</span>, \(L("apps.agreement.signed", ["day": Display.localDay(agreement.signedOn)]))\
                , \(agreement.expiresOn.map { L("apps.agreement.expires", ["day": Display.localDay($0)]) } ?? L("apps.agreement.no_expiry")) (\(state))\(document)
                <form class="inline" method="post" action="/school/agreements/\(FormCodec.encode(id))/remove">\(Layout.csrfField(session.csrf))<button class="link" type="submit">\(L("passkeys.remove"))</button></form></div>
                """
        } else {
            summary = "<div class=\"agreement none\" data-agreement=\"\(id)\"><b>\(L("apps.agreement.label"))</b> \(L("apps.agreement.none"))</div>"
        }
        return """
            \(summary)
            <details class="agreement-form"\(refused != nil ? HTML(unsafeRaw: " open") : "")><summary>\(agreement == nil ? L("apps.agreement.record") : L("apps.agreement.renew"))</summary>
            <form class="stack" method="post" action="/school/agreements" enctype="multipart/form-data" data-client-id="\(id)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="client_id" value="\(id)">
            \(errors.isEmpty ? "" : "<p class=\"notice bad agreement-problems\" role=\"alert\">\(L("apps.agreement.not_saved_below"))</p>" as HTML)
            <label>\(L("apps.agreement.kind"))<input name="kind" maxlength="\(AppAgreement.maximumKindLength)" value="\(form.kind)" placeholder="SDPC National Data Privacy Agreement"\(Layout.errorAttributes(errors["kind"], id: "kind-error-\(id)"))>\(Layout.fieldError(errors["kind"], id: "kind-error-\(id)"))</label>
            <label>\(L("apps.agreement.signed_on"))<input type="date" name="signed_on" value="\(form.signedOn)"\(Layout.errorAttributes(errors["signed_on"], id: "signed-error-\(id)"))>\(Layout.fieldError(errors["signed_on"], id: "signed-error-\(id)"))</label>
            <label>\(L("apps.agreement.expires_on"))<input type="date" name="expires_on" value="\(form.expiresOn)"\(Layout.errorAttributes(errors["expires_on"], id: "expires-error-\(id)"))>\(Layout.fieldError(errors["expires_on"], id: "expires-error-\(id)"))</label>
            <label>\(L("apps.agreement.document", ["megabytes": SchoolAdminPages.number(AgreementDocument.maximumBytes / 1024 / 1024)]))<input type="file" name="document" accept="application/pdf"\(Layout.errorAttributes(errors["document"], id: "document-error-\(id)"))>\(Layout.fieldError(errors["document"], id: "document-error-\(id)"))</label>
            <button type="submit">\(L("apps.agreement.save"))</button></form></details>
            """
    }
}
