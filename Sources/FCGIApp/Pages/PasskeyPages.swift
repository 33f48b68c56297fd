import Domain

/// The passkeys page, and the script that talks to the browser's WebAuthn API (served as /assets/passkeys.js: the
/// content security policy allows scripts from this site only).
enum PasskeyPages {
    /// `continueTo`: where the person was going when they were sent to set up a second factor (after adding one).
    static func list(session: SignedIn, passkeys: [PasskeySummary], notice: Layout.Notice?, error: String?, continueTo: String? = nil) -> HTML {
        Layout.page(
            title: L("passkeys.title"), session: session, notice: notice,
            manage(csrf: session.csrf, passkeys: passkeys, error: error, continueTo: continueTo, back: "/account"))
    }

    /// A developer's passkeys on the portal (its security page links here).
    static func portalList(session: DeveloperSignedIn, passkeys: [PasskeySummary], notice: Layout.Notice?, error: String?) -> HTML {
        PortalLayout.page(
            title: L("passkeys.title"), session: session, notice: notice,
            manage(csrf: session.csrf, passkeys: passkeys, error: error, continueTo: nil, back: "/account"))
    }

    /// The passkeys table and the form the script fills to add one; the same markup on both sites.
    private static func manage(csrf: String, passkeys: [PasskeySummary], error: String?, continueTo: String?, back: String) -> HTML {
        let rows = passkeys.map { passkey -> HTML in
            """
            <tr><td>\(passkey.name)</td><td>\(passkey.backedUp ? L("passkeys.synced") : L("passkeys.device_only"))</td>
            <td>\(Display.localDate(passkey.createdAt))</td><td>\(passkey.lastUsedAt.map { Display.localDateTime($0) } ?? L("apps.never"))</td>
            <td><form class="inline" method="post" action="/account/passkeys/\(String(passkey.id))/remove">\(Layout.csrfField(csrf))
            <button type="submit" class="link">\(L("passkeys.remove"))</button></form></td></tr>
            """
        }
        let table: HTML =
            passkeys.isEmpty
            ? "<p class=\"muted\" id=\"no-passkeys\">\(L("passkeys.none"))</p>"
            : """
            <table id="passkeys"><thead><tr><th scope="col">\(L("passkeys.name"))</th><th scope="col">\(L("passkeys.kind"))</th><th scope="col">\(L("passkeys.added"))</th><th scope="col">\(L("passkeys.last_used"))</th>
            <th scope="col"><span class="visually-hidden">\(L("passkeys.remove"))</span></th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return """
            <h1>\(L("passkeys.title"))</h1>
            \(error.map { "<p class=\"notice bad\" id=\"passkey-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
            \(continueTo.map { "<p><a class=\"button\" id=\"continue\" href=\"\($0)\">\(L("passkeys.continue"))</a></p>" as HTML } ?? "")
            <p>\(L("passkeys.intro"))</p>
            \(table)
            <form class="stack" id="add-passkey" method="post" action="/account/passkeys/register" data-options="/account/passkeys/options">
            \(Layout.csrfField(csrf))
            <label>\(L("passkeys.field.name"))<input name="name" maxlength="80" placeholder="\(L("passkeys.field.placeholder"))"></label>
            <input type="hidden" name="attestationObject"><input type="hidden" name="clientDataJSON">
            <button type="button" id="add-passkey-button">\(L("passkeys.add"))</button>
            <p class="muted" id="passkey-status" role="status" data-prompt="\(L("passkeys.js.prompt"))" data-failed="\(L("passkeys.js.not_added"))"></p>
            </form>
            <p><a href="\(back)">\(L("account.back"))</a></p>
            <script src="/assets/passkeys.js"></script>
            """
    }

    /// The sign-in page's passkey form (filled and submitted by the script).
    static func signInForm(csrf: String, next: String?) -> HTML {
        """
        <form class="stack" id="passkey-signin" method="post" action="/login/passkey" data-options="/login/passkey/options">\(Layout.csrfField(csrf))
        \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
        <input type="hidden" name="credentialId"><input type="hidden" name="authenticatorData"><input type="hidden" name="clientDataJSON">
        <input type="hidden" name="signature"><input type="hidden" name="userHandle">
        <button type="button" class="secondary" id="passkey-signin-button">\(L("signin.passkey"))</button>
        <p class="muted" id="passkey-status" role="status" data-prompt="\(L("passkeys.js.prompt"))" data-failed="\(L("passkeys.js.not_signed_in"))"></p>
        </form>
        <script src="/assets/passkeys.js"></script>
        """
    }

    /// Asks the server for options, calls `navigator.credentials`, and submits the answer as an ordinary form, so
    /// every check and every page stays on the server.
    static let script = """
        "use strict";
        (function () {
          function fromB64(text) {
            const b = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
            return Uint8Array.from(b, c => c.charCodeAt(0)).buffer;
          }
          function toB64(buffer) {
            let s = "";
            new Uint8Array(buffer).forEach(b => { s += String.fromCharCode(b); });
            return btoa(s).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
          }
          async function options(form) {
            const body = new URLSearchParams({ csrf: form.elements.csrf.value });
            const answer = await fetch(form.dataset.options, { method: "POST", body: body, credentials: "same-origin" });
            if (!answer.ok) { throw new Error("the server refused (" + answer.status + ")"); }
            return answer.json();
          }
          function status(form, text) { const p = form.querySelector("#passkey-status"); if (p) { p.textContent = text; } }
          function words(form) { const p = form.querySelector("#passkey-status"); return p ? p.dataset : {}; }
          const add = document.getElementById("add-passkey");
          if (add) {
            document.getElementById("add-passkey-button").addEventListener("click", async () => {
              try {
                status(add, words(add).prompt);
                const o = await options(add);
                o.challenge = fromB64(o.challenge);
                o.user.id = fromB64(o.user.id);
                o.excludeCredentials = o.excludeCredentials.map(c => ({ type: c.type, id: fromB64(c.id) }));
                const credential = await navigator.credentials.create({ publicKey: o });
                add.elements.attestationObject.value = toB64(credential.response.attestationObject);
                add.elements.clientDataJSON.value = toB64(credential.response.clientDataJSON);
                add.submit();
              } catch (error) { status(add, words(add).failed + " " + error.message); }
            });
          }
          const signIn = document.getElementById("passkey-signin");
          if (signIn) {
            document.getElementById("passkey-signin-button").addEventListener("click", async () => {
              try {
                status(signIn, words(signIn).prompt);
                const o = await options(signIn);
                o.challenge = fromB64(o.challenge);
                const credential = await navigator.credentials.get({ publicKey: o });
                signIn.elements.credentialId.value = toB64(credential.rawId);
                signIn.elements.authenticatorData.value = toB64(credential.response.authenticatorData);
                signIn.elements.clientDataJSON.value = toB64(credential.response.clientDataJSON);
                signIn.elements.signature.value = toB64(credential.response.signature);
                signIn.elements.userHandle.value = credential.response.userHandle ? toB64(credential.response.userHandle) : "";
                signIn.submit();
              } catch (error) { status(signIn, words(signIn).failed + " " + error.message); }
            });
          }
        })();
        """
}
