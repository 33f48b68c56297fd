import Domain

/// The pages of sign-in against a school's directory: what failed, the school admin's settings section and the result
/// of "test this provider". Everything a directory sent is escaped by ``HTML``.
enum DirectoryPages {
    /// A directory sign-in that could not be checked, and why.
    static func failure(directory: String, message: String, schoolLink: String) -> HTML {
        Layout.page(
            title: L("upstream.failed.title"), session: nil, narrow: true,
            """
            <h1>\(L("directory.failed.heading", ["directory": directory]))</h1>
            <p class="error notice bad" id="directory-error" role="alert">\(message)</p>
            <p>\(L("directory.failed.nothing_kept"))</p>
            <p><a id="back-to-sign-in" href="/login?school=\(FormCodec.encode(schoolLink))">\(L("forgot.back"))</a></p>
            """)
    }

    /// What a person is told when the directory could not be used.
    static func message(for failure: DirectoryFailure) -> String {
        switch failure.kind {
        case .unreachable, .timedOut:
            L("directory.error.unreachable")
        case .tls:
            L("directory.error.tls")
        case .referral:
            L("directory.error.referral")
        case .serviceAccountRefused, .searchRefused, .other:
            L("directory.error.refused")
        }
    }

    /// The school admin's section of `/school/sign-in`.
    static func settings(csrf: String, directory: SignInDirectory?) -> HTML {
        let d = directory
        let status: HTML =
            if let d {
                """
                <p id="directory-status">\(d.enabled ? L("signin_settings.on") : L("signin_settings.off")): \(d.name) · \(d.endpoints.map(\.uri).joined(separator: ", ")) ·
                \(d.linkSummary)\(d.disabledCheck == .activeDirectory ? " · " + L("directory.ad_disabled_refused") : "")</p>
                <form class="stack" id="directory-test" method="post" action="/school/sign-in/directory/test">\(Layout.csrfField(csrf))
                <label>\(L("directory.test_name"))<input name="name" required maxlength="256" autocomplete="off"></label>
                <button type="submit" class="secondary">\(L("signin_settings.test"))</button></form>
                <form class="inline" id="directory-remove" method="post" action="/school/sign-in/directory/remove">\(Layout.csrfField(csrf))
                <button type="submit" class="link">\(L("directory.remove"))</button></form>
                """
            } else {
                "<p class=\"muted\" id=\"no-directory\">\(L("directory.none"))</p>"
            }
        func selected(_ on: Bool) -> HTML { on ? HTML(unsafeRaw: " selected") : "" }
        let rule = d?.linkRule.storedName ?? "email"
        return """
            <section aria-labelledby="directory-title"><h2 id="directory-title">\(L("directory.title"))</h2>
            <p>\(L("directory.intro"))</p>
            \(status)
            <details><summary>\(d == nil ? L("directory.set_up") : L("directory.change"))</summary>
            <form class="stack" id="directory-settings" method="post" action="/school/sign-in/directory">\(Layout.csrfField(csrf))
            <label>\(L("directory.field.name"))<input name="name" required maxlength="80" value="\(d?.name ?? "")"></label>
            <label>\(L("directory.field.uris"))<input name="uris" required maxlength="1000"
            value="\(d?.endpoints.map(\.uri).joined(separator: " ") ?? "")" placeholder="ldaps://dc1.school.example ldaps://dc2.school.example"></label>
            <label>\(L("directory.field.ca"))<textarea name="ca_certificates" rows="4" spellcheck="false">\(d?.caCertificates ?? "")</textarea></label>
            <label class="check"><input type="checkbox" name="allow_plain" value="1"\(d?.allowPlain == true ? HTML(unsafeRaw: " checked") : "")>
            \(L("directory.field.allow_plain"))</label>
            <label>\(L("directory.field.bind_dn"))<input name="bind_dn" required maxlength="512" value="\(d?.bindDN ?? "")"></label>
            <label>\(L("directory.field.bind_password"))\(d == nil ? "" : L("directory.field.keep"))<input name="bind_password" type="password"
            maxlength="512" autocomplete="off"\(d == nil ? HTML(unsafeRaw: " required") : "")></label>
            <label>\(L("directory.field.base_dn"))<input name="base_dn" required maxlength="512" value="\(d?.baseDN ?? "")" placeholder="ou=People,dc=school,dc=example"></label>
            <label>\(L("directory.field.filter", ["name": "{name}"]))<input name="filter" required maxlength="1024" value="\(d?.filter.text ?? "")"
            placeholder="(&amp;(objectClass=user)(sAMAccountName={name}))"></label>
            <label>\(L("directory.field.link_rule"))<select name="link_rule"><option value="email"\(selected(rule == "email"))>\(L("directory.rule.email"))</option>
            <option value="sourced-id"\(selected(rule == "sourced_id"))>\(L("directory.rule.sourced_id"))</option>
            <option value="username"\(selected(rule == "username"))>\(L("directory.rule.username"))</option></select></label>
            <label>\(L("directory.field.link_attribute"))<input name="link_attribute" maxlength="64" value="\(d?.linkAttribute ?? "")" placeholder="mail"></label>
            <label>\(L("directory.field.disabled"))<select name="disabled_check"><option value="none"\(selected(d?.disabledCheck != .activeDirectory))>\(L("directory.disabled.filter"))</option>
            <option value="active-directory"\(selected(d?.disabledCheck == .activeDirectory))>\(L("directory.disabled.ad"))</option></select></label>
            <label class="check"><input type="checkbox" name="enabled" value="1"\(d?.enabled != false ? HTML(unsafeRaw: " checked") : "")>
            \(L("directory.field.enabled"))</label>
            <button type="submit">\(L("directory.save"))</button>
            </form></details></section>
            """
    }

    /// The result of a school admin's "test this provider": the filter sent and what came back.
    static func testResult(session: SignedIn, directory: SignInDirectory, name: String, result: DirectoryTestResult) -> HTML {
        let body: HTML
        switch result.answer {
        case .badName:
            body = "<p class=\"notice bad\" id=\"test-error\" role=\"alert\">\(L("directory.test.bad_name"))</p>"
        case .failed(let failure):
            body = """
                <p class="notice bad" id="test-error" role="alert">\(L("directory.test.failed", ["kind": failure.kind.rawValue]))</p>
                <p>\(LH("directory.test.what_happened", ["detail": "<code id=\"test-detail\">\(failure.detail)</code>"]))</p>
                """
        case .entries(let found):
            let dns = found.entries.map { entry -> HTML in "<li><code>\(entry.dn)</code></li>" }
            let verdict: String =
                if found.entries.isEmpty {
                    L("directory.test.no_entry")
                        + (found.references > 0 ? " " + L("directory.test.references", count: found.references) : "")
                } else { L("directory.test.several") }
            body = """
                <p class="notice bad" id="test-outcome" role="status">\(verdict)</p>
                <ul id="test-entries">\(dns)</ul>
                """
        case .one(let entry, let disabled, let person):
            let verdict: String =
                if disabled {
                    L("directory.test.disabled")
                } else {
                    switch person {
                    case .person(let user, _): L("directory.test.would_sign_in", ["name": user.displayName, "role": roleLabel(user.role)])
                    case .inactive(let user): L("upstream.test.inactive", ["name": user.displayName])
                    case .noSuchPerson, .newStudent: L("directory.test.no_person")
                    }
                }
            let rows = entry.attributes.map { attribute -> HTML in
                "<tr><th scope=\"row\">\(attribute.name)</th><td>\(attribute.values.map { String($0.prefix(300)) }.joined(separator: ", "))</td></tr>"
            }
            body = """
                <p class="notice ok" id="test-ok" role="status">\(L("directory.test.found_one"))</p>
                <p>\(LH("directory.test.entry", ["dn": "<code id=\"test-dn\">\(entry.dn)</code>"]))</p>
                <p id="test-outcome">\(verdict)</p>
                <table class="claims" id="test-attributes"><thead><tr><th scope="col">\(L("directory.test.attribute"))</th><th scope="col">\(L("upstream.test.value"))</th></tr></thead>
                <tbody>\(rows)</tbody></table>
                """
        }
        return Layout.page(
            title: L("upstream.test.title", ["provider": directory.name]), session: session,
            """
            <h1>\(L("upstream.test.title", ["provider": directory.name]))</h1>
            <p>\(LH("directory.test.looked_up", ["name": "<code>\(String(name.prefix(256)))</code>", "filter": "<code id=\"test-filter\">\(String(result.filter.prefix(2000)))</code>"]))</p>
            \(body)
            <p><a href="/school/sign-in">\(L("upstream.test.back"))</a></p>
            """)
    }
}
