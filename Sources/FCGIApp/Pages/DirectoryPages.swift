import Domain

/// The pages of sign-in against a school's directory: what failed, the school admin's settings section and the result
/// of "test this provider". Everything a directory sent is escaped by ``HTML``.
enum DirectoryPages {
    /// A directory sign-in that could not be checked, and why.
    static func failure(directory: String, message: String, schoolLink: String) -> HTML {
        Layout.page(
            title: "Sign-in did not work", session: nil, narrow: true,
            """
            <h1>Sign-in with \(directory) did not work</h1>
            <p class="error notice bad" id="directory-error" role="alert">\(message)</p>
            <p>No one was signed in. Your password was not kept.</p>
            <p><a id="back-to-sign-in" href="/login?school=\(FormCodec.encode(schoolLink))">Back to sign-in</a></p>
            """)
    }

    /// What a person is told when the directory could not be used.
    static func message(for failure: DirectoryFailure) -> String {
        switch failure.kind {
        case .unreachable, .timedOut:
            "The school's directory did not answer, so your password could not be checked. Try again in a few minutes; if it keeps happening, tell your school."
        case .tls:
            "The school's directory could not prove who it is (its certificate did not verify), so your password was not sent to it. Tell your school."
        case .referral:
            "The school's directory sent the sign-in on to another server, which we do not follow. Tell your school: its directory settings need fixing."
        case .serviceAccountRefused, .searchRefused, .other:
            "The school's directory refused to look you up. Tell your school: its directory settings need fixing."
        }
    }

    /// The school admin's section of `/school/sign-in`.
    static func settings(csrf: String, directory: SignInDirectory?) -> HTML {
        let d = directory
        let status: HTML =
            if let d {
                """
                <p id="directory-status">\(d.enabled ? "On" : "Off"): \(d.name) · \(d.endpoints.map(\.uri).joined(separator: ", ")) ·
                \(d.linkSummary)\(d.disabledCheck == .activeDirectory ? " · Active Directory disabled accounts refused" : "")</p>
                <form class="stack" id="directory-test" method="post" action="/school/sign-in/directory/test">\(Layout.csrfField(csrf))
                <label>Name to look up (no password is checked)<input name="name" required maxlength="256" autocomplete="off"></label>
                <button type="submit" class="secondary">Test this provider</button></form>
                <form class="inline" id="directory-remove" method="post" action="/school/sign-in/directory/remove">\(Layout.csrfField(csrf))
                <button type="submit" class="link">Remove the directory</button></form>
                """
            } else {
                "<p class=\"muted\" id=\"no-directory\">No directory: passwords are checked by CatalystWells.</p>"
            }
        func selected(_ on: Bool) -> HTML { on ? HTML(unsafeRaw: " selected") : "" }
        let rule = d?.linkRule.storedName ?? "email"
        return """
            <section aria-labelledby="directory-title"><h2 id="directory-title">School directory (LDAP or Active Directory)</h2>
            <p>With a directory, the password form of your sign-in link checks passwords against it: we search for the typed name as a
            service account that can only read, then bind as the entry found with the typed password. Nothing is kept. The link
            attribute finds the roster person.</p>
            \(status)
            <details><summary>\(d == nil ? "Set up a directory" : "Change the directory")</summary>
            <form class="stack" id="directory-settings" method="post" action="/school/sign-in/directory">\(Layout.csrfField(csrf))
            <label>Name: Sign in with your … account<input name="name" required maxlength="80" value="\(d?.name ?? "")"></label>
            <label>Servers, tried in order (ldaps://host, or ldap://host for StartTLS)<input name="uris" required maxlength="1000"
            value="\(d?.endpoints.map(\.uri).joined(separator: " ") ?? "")" placeholder="ldaps://dc1.school.example ldaps://dc2.school.example"></label>
            <label>CA certificate(s) the servers' certificates chain to, in PEM (-----BEGIN CERTIFICATE-----…; empty: the system's trust
            store)<textarea name="ca_certificates" rows="4" spellcheck="false">\(d?.caCertificates ?? "")</textarea></label>
            <label class="check"><input type="checkbox" name="allow_plain" value="1"\(d?.allowPlain == true ? HTML(unsafeRaw: " checked") : "")>
            Allow no TLS for ldapi:// and loopback servers only</label>
            <label>Service account DN (read rights only)<input name="bind_dn" required maxlength="512" value="\(d?.bindDN ?? "")"></label>
            <label>Service account password\(d == nil ? "" : " (empty: keep the saved one)")<input name="bind_password" type="password"
            maxlength="512" autocomplete="off"\(d == nil ? HTML(unsafeRaw: " required") : "")></label>
            <label>Base DN<input name="base_dn" required maxlength="512" value="\(d?.baseDN ?? "")" placeholder="ou=People,dc=school,dc=example"></label>
            <label>Search filter, {name} is the typed name<input name="filter" required maxlength="1024" value="\(d?.filter.text ?? "")"
            placeholder="(&amp;(objectClass=user)(sAMAccountName={name}))"></label>
            <label>The link attribute is compared with<select name="link_rule"><option value="email"\(selected(rule == "email"))>roster email</option>
            <option value="sourced-id"\(selected(rule == "sourced_id"))>roster sourcedId</option>
            <option value="username"\(selected(rule == "username"))>roster username</option></select></label>
            <label>Link attribute<input name="link_attribute" maxlength="64" value="\(d?.linkAttribute ?? "")" placeholder="mail"></label>
            <label>Disabled accounts<select name="disabled_check"><option value="none"\(selected(d?.disabledCheck != .activeDirectory))>left out by the filter</option>
            <option value="active-directory"\(selected(d?.disabledCheck == .activeDirectory))>Active Directory: userAccountControl bit 2</option></select></label>
            <label class="check"><input type="checkbox" name="enabled" value="1"\(d?.enabled != false ? HTML(unsafeRaw: " checked") : "")>
            The password form of our sign-in link checks passwords against the directory</label>
            <button type="submit">Save the directory</button>
            </form></details></section>
            """
    }

    /// The result of a school admin's "test this provider": the filter sent and what came back.
    static func testResult(session: SignedIn, directory: SignInDirectory, name: String, result: DirectoryTestResult) -> HTML {
        let body: HTML
        switch result.answer {
        case .badName:
            body = "<p class=\"notice bad\" id=\"test-error\" role=\"alert\">Type a name of 1 to 256 bytes.</p>"
        case .failed(let failure):
            body = """
                <p class="notice bad" id="test-error" role="alert">The directory could not be used (\(failure.kind.rawValue)).</p>
                <p>What happened: <code id="test-detail">\(failure.detail)</code></p>
                """
        case .entries(let found):
            let dns = found.entries.map { entry -> HTML in "<li><code>\(entry.dn)</code></li>" }
            let verdict: String =
                if found.entries.isEmpty {
                    "No entry matches: this name would be refused."
                        + (found.references > 0 ? " (The directory also sent \(found.references) references elsewhere, which are not followed.)" : "")
                } else { "Several entries match: this name would be refused. Make the filter select one person." }
            body = """
                <p class="notice bad" id="test-outcome" role="status">\(verdict)</p>
                <ul id="test-entries">\(dns)</ul>
                """
        case .one(let entry, let disabled, let person):
            let verdict: String =
                if disabled {
                    "The account is disabled in the directory: it would be refused."
                } else {
                    switch person {
                    case .person(let user, _): "With the right password, this would sign in as \(user.displayName) (\(user.role.label))."
                    case .inactive(let user): "Matches \(user.displayName), who is deactivated: this account would be refused."
                    case .noSuchPerson, .newStudent: "No roster person matches the link attribute: this account would be refused."
                    }
                }
            let rows = entry.attributes.map { attribute -> HTML in
                "<tr><th scope=\"row\">\(attribute.name)</th><td>\(attribute.values.map { String($0.prefix(300)) }.joined(separator: ", "))</td></tr>"
            }
            body = """
                <p class="notice ok" id="test-ok" role="status">The service account searched the directory and found one entry.</p>
                <p>Entry: <code id="test-dn">\(entry.dn)</code></p>
                <p id="test-outcome">\(verdict)</p>
                <table class="claims" id="test-attributes"><thead><tr><th scope="col">Attribute</th><th scope="col">Value</th></tr></thead>
                <tbody>\(rows)</tbody></table>
                """
        }
        return Layout.page(
            title: "Test of \(directory.name)", session: session,
            """
            <h1>Test of \(directory.name)</h1>
            <p>Looked up <code>\(String(name.prefix(256)))</code> with the filter <code id="test-filter">\(String(result.filter.prefix(2000)))</code>.</p>
            \(body)
            <p><a href="/school/sign-in">Back to sign-in settings</a></p>
            """)
    }
}
