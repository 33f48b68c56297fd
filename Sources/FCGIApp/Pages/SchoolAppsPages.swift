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
                case .blocked: "<b class=\"bad\">Blocked</b>"
                case .allowed: entry.policy?.scopeLimit == nil ? "Allowed" : "Allowed (limited)"
                case nil:
                    requiresAgreement
                        ? "<b class=\"bad\">Blocked</b> <small class=\"muted\">(no decision; your school requires an agreement)</small>"
                        : "Allowed <small class=\"muted\">(default)</small>"
                }
            let limit = entry.policy?.scopeLimit
            let boxes = offered.map { scope -> HTML in
                let checked = limit.map { $0.contains(scope.name) } ?? true
                return """
                    <label class="scope"><input type="checkbox" name="scope" value="\(scope.name)"\(checked ? HTML(unsafeRaw: " checked") : "")> \
                    \(scope.description) <small class="muted">(\(scope.name))</small></label>
                    """
            }
            let blocked = entry.policy?.status == .blocked || (entry.policy == nil && requiresAgreement)
            let status = entry.policy?.status.rawValue ?? (requiresAgreement ? "blocked" : "default")
            let pending: HTML =
                entry.pendingRequests > 0
                ? "<br><small>\(entry.pendingRequests) request\(entry.pendingRequests == 1 ? "" : "s") to allow it</small>" : ""
            let declarations = context.declarations[client.clientID] ?? []
            let label: HTML =
                declarations.isEmpty
                ? "<p class=\"muted\"><small>The developer has not declared how the app uses data.</small></p>"
                : """
                <details class="app-data-label"><summary>What the app does with data</summary>\(DataLabelPages.label(DataLabel(scopes: offered, declarations: declarations, developer: client.developerName), id: "data-label-\(id)"))</details>
                """
            return """
                <tr data-client-id="\(id)" data-status="\(status)" data-pending="\(entry.pendingRequests)"><td><b>\(client.name)</b><br><small>by \(client.developerName)\
                \(client.verified ? HTML(unsafeRaw: " · verified") : "")</small>\(label)</td>
                <td>\(decision)\(pending)<br>\(agreementCell(agreement, client: client, session: session, context: context))</td>
                <td><form method="post" action="/school/apps/\(FormCodec.encode(id))">\(csrf)
                <fieldset><legend>Scopes your school's users may grant it</legend>\(boxes)</fieldset>
                <label><input type="radio" name="status" value="allowed"\(blocked ? "" : HTML(unsafeRaw: " checked"))> Allowed</label>
                <label><input type="radio" name="status" value="blocked"\(blocked ? HTML(unsafeRaw: " checked") : "")> Blocked</label>
                <button type="submit">Save</button></form></td></tr>
                """
        }
        let settings = context.settings
        return Layout.page(
            title: "Apps", session: session, notice: notice,
            """
            <h1>Apps</h1>
            <p>Apps the platform has approved. Your school's students, parents and teachers can connect an allowed app,
            and only with the scopes you leave ticked. Blocking an app ends every connection of your school's users to it
            at once; unticking scopes applies to new connections.</p>
            <form class="stack" method="post" action="/school/agreement-settings" id="agreement-settings">\(csrf)
            <fieldset><legend>Data-privacy agreements</legend>
            <label class="check"><input type="checkbox" name="require_agreement" value="1"\(settings.requireAgreement ? HTML(unsafeRaw: " checked") : "")>
            Require a current agreement before an app can be allowed (apps without a decision are blocked)</label>
            <label class="check"><input type="checkbox" name="block_on_expiry" value="1"\(settings.blockOnExpiry ? HTML(unsafeRaw: " checked") : "")>
            Block an app on the day its agreement expires (admins are warned by mail \(AgreementExpiry.warningDays) days ahead either way)</label>
            <button type="submit">Save agreement settings</button></fieldset></form>
            <form class="stack" method="post" action="/school/gradebook-settings" id="gradebook-settings">\(csrf)
            <fieldset><legend>Grades from apps</legend>
            <p class="muted">Apps your school allows with the gradebook scope can add assessments and grades to your teachers' gradebooks.</p>
            \(appResultChoices(context.appResults))
            <button type="submit">Save gradebook setting</button></fieldset></form>
            <table id="school-apps"><thead><tr><th scope="col">App</th><th scope="col">Your school's decision and agreement</th><th scope="col">Change</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """)
    }

    /// One radio button per ``AppResultsPublication``, the school's choice ticked.
    private static func appResultChoices(_ current: AppResultsPublication) -> HTML {
        HTML(
            AppResultsPublication.allCases.map { choice -> HTML in
                """
                <label class="check"><input type="radio" name="app_results" value="\(choice.rawValue)"\(choice == current ? HTML(unsafeRaw: " checked") : "")> \
                \(choice.explanation)</label>
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
                ? "<span class=\"agreement-current\">current</span>" : "<b class=\"bad agreement-expired\">not in force</b>"
            let document: HTML =
                agreement.document.map {
                    " · <a class=\"agreement-document\" href=\"/school/agreements/\(FormCodec.encode(id))/document\">signed PDF</a> <small>(\($0.size / 1024 + 1) KB)</small>"
                } ?? ""
            summary = """
                <div class="agreement" data-agreement="\(id)"><b>Agreement:</b> <span class="agreement-kind">\(agreement.kind)</span>, signed \(agreement.signedOn.description)\
                \(agreement.expiresOn.map { ", expires \($0.description)" } ?? ", no expiry") (\(state))\(document)
                <form class="inline" method="post" action="/school/agreements/\(FormCodec.encode(id))/remove">\(Layout.csrfField(session.csrf))<button class="link" type="submit">Remove</button></form></div>
                """
        } else {
            summary = "<div class=\"agreement none\" data-agreement=\"\(id)\"><b>Agreement:</b> none recorded</div>"
        }
        return """
            \(summary)
            <details class="agreement-form"\(refused != nil ? HTML(unsafeRaw: " open") : "")><summary>\(agreement == nil ? "Record the agreement" : "Renew or change the agreement")</summary>
            <form class="stack" method="post" action="/school/agreements" enctype="multipart/form-data" data-client-id="\(id)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="client_id" value="\(id)">
            \(errors.isEmpty ? "" : HTML("<p class=\"notice bad agreement-problems\" role=\"alert\">The agreement was not saved; see below.</p>"))
            <label>Kind<input name="kind" maxlength="\(AppAgreement.maximumKindLength)" value="\(form.kind)" placeholder="SDPC National Data Privacy Agreement"\(Layout.errorAttributes(errors["kind"], id: "kind-error-\(id)"))>\(Layout.fieldError(errors["kind"], id: "kind-error-\(id)"))</label>
            <label>Signed on<input type="date" name="signed_on" value="\(form.signedOn)"\(Layout.errorAttributes(errors["signed_on"], id: "signed-error-\(id)"))>\(Layout.fieldError(errors["signed_on"], id: "signed-error-\(id)"))</label>
            <label>Expires on (empty: no expiry)<input type="date" name="expires_on" value="\(form.expiresOn)"\(Layout.errorAttributes(errors["expires_on"], id: "expires-error-\(id)"))>\(Layout.fieldError(errors["expires_on"], id: "expires-error-\(id)"))</label>
            <label>Signed agreement (PDF, at most \(AgreementDocument.maximumBytes / 1024 / 1024) MB, optional)<input type="file" name="document" accept="application/pdf"\(Layout.errorAttributes(errors["document"], id: "document-error-\(id)"))>\(Layout.fieldError(errors["document"], id: "document-error-\(id)"))</label>
            <button type="submit">Save the agreement</button></form></details>
            """
    }
}
