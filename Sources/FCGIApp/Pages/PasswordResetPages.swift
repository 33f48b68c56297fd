import Domain
import Foundation

/// Resets by the people responsible (issue 16, item 1): the reset form of one person, its results, the school's
/// Passwords page, and the "choose your password" step of a sign-in with a temporary password.
enum PasswordResetPages {
    /// Where the pages lead back to.
    struct Back {
        let href: String
        let label: String
    }

    static func form(
        session: SignedIn, person: UserAccount, action: String, back: Back, mustChange: Bool, error: String?,
        badge: (allowed: Bool, issuedAt: Date?) = (false, nil)
    ) -> HTML {
        let who = person.username ?? person.email ?? ""
        let badgeAction = String(action.dropLast("/password".count)) + "/badge"
        let badgeSection: HTML =
            !badge.allowed && badge.issuedAt == nil
            ? ""
            : """
            <h2>QR badge</h2>
            <p id="badge-state">\(badge.issuedAt.map { "Has a badge since \(Display.date($0))." } ?? "Has no badge.") A lost card: make a new badge (the old one
            stops working at once) or withdraw it.</p>
            <form class="inline" id="badge-rotate" method="post" action="\(badgeAction)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="action" value="rotate"><button type="submit"\(badge.allowed ? "" : " disabled")>New badge</button></form>
            \(badge.issuedAt == nil ? "" : """
                <form class="inline" id="badge-revoke" method="post" action="\(badgeAction)">\(Layout.csrfField(session.csrf))
                <input type="hidden" name="action" value="revoke"><button class="secondary" type="submit">Withdraw the badge</button></form>
                """ as HTML)
            """
        return Layout.page(
            title: "Reset a password", session: session,
            """
            <p><a href="\(back.href)">← \(back.label)</a></p>
            <h1>Reset the password of <span id="reset-person">\(person.displayName)</span></h1>
            <p class="muted">\(person.role.label) · signs in as <b>\(who)</b>. Either way their old password stops working, they are signed out
            everywhere, and apps they allowed must be signed in to again\(person.email == nil ? "" : "; a mail tells them (without the password)").</p>
            <h2>Generate a temporary password</h2>
            <form class="stack" id="reset-temporary" method="post" action="\(action)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="kind" value="temporary">
            <p>Shown once on the next page, for you to hand over. \(mustChange ? "Your school has them choose their own password when they first sign in with it." as HTML : "Your school lets them keep it.")</p>
            <button type="submit">Generate a temporary password</button>
            </form>
            <h2>Or set a password you choose</h2>
            <form class="stack" id="reset-set" method="post" action="\(action)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="kind" value="set">
            <label>New password<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>New password again<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <button type="submit">Set this password</button>
            </form>
            \(badgeSection)
            """)
    }

    /// After a typed password was set.
    static func setDone(session: SignedIn, person: UserAccount, back: Back) -> HTML {
        Layout.page(
            title: "Password set", session: session, notice: .init(kind: .ok, text: "The new password of \(person.displayName) is saved."),
            """
            <p><a href="\(back.href)">← \(back.label)</a></p>
            <h1>Password set</h1>
            <p id="reset-done">\(person.displayName) was signed out everywhere. Give them the password you chose.</p>
            """)
    }

    /// The policy of the school and the bulk forms: the school admin's Passwords page.
    static func schoolPasswords(
        session: SignedIn, mustChange: Bool, gradeLevels: [String], classes: [ClassSummary], notice: Layout.Notice?
    ) -> HTML {
        let grades = gradeLevels.map { level -> HTML in "<option value=\"\(level)\">\(level)</option>" }
        let classRows = classes.map { c -> HTML in
            """
            <tr data-class-id="\(c.id)"><td>\(c.title)</td><td>\(c.teacherNames.joined(separator: ", "))</td><td class="num">\(c.studentCount ?? 0)</td>
            <td><a href="/school/classes/\(c.id)/cards">Sign-in cards</a></td></tr>
            """
        }
        return Layout.page(
            title: "Passwords", session: session, notice: notice,
            """
            <h1>Passwords</h1>
            <p>Teachers reset the passwords of the students of their classes, and you anyone's, from their row
            (<a href="/school/users">Users</a>, a class's roster). Every reset is in the <a href="/school/security-log?event=password_reset">security log</a>.</p>
            <h2>Temporary passwords</h2>
            <form class="stack" id="temporary-policy" method="post" action="/school/passwords">\(Layout.csrfField(session.csrf))
            <label class="check"><input type="checkbox" name="must_change" value="1"\(mustChange ? HTML(unsafeRaw: " checked") : "")>
            A temporary password must be replaced by the person's own password when they first sign in with it</label>
            <button class="secondary" type="submit">Save</button>
            </form>
            <h2>Sign-in cards for a grade level</h2>
            \(gradeLevels.isEmpty ? "<p class=\"muted\">No student has a grade level.</p>" as HTML : """
            <form class="stack" id="grade-cards" method="post" action="/school/grades/cards">\(Layout.csrfField(session.csrf))
            <label>Grade level<select name="grade_level">\(grades)</select></label>
            <p>Generates a new temporary password for <b>every</b> student of the grade level (their current passwords stop working) and prints
            their cards. The passwords are shown this once. Students without a QR badge get one; a badge made earlier keeps working and
            its card says "badge unchanged".</p>
            <label class="check"><input type="checkbox" name="new_badges" value="1" id="grade-new-badges"> New badges for everyone: every
            current badge of the grade level stops working (for lost or shared cards)</label>
            <p><button type="submit" name="format" value="html">Generate and show the cards</button>
            <button class="secondary" type="submit" name="format" value="pdf">Generate and download a PDF</button></p>
            </form>
            """)
            <h2>Sign-in cards for a class</h2>
            <div class="table-wrap"><table id="card-classes"><thead><tr><th scope="col">Class</th><th scope="col">Teachers</th><th scope="col" class="num">Students</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>\(classRows)</tbody></table></div>
            """)
    }

    /// The step of a sign-in with a temporary password that must be replaced.
    static func choose(csrf: String, person: UserAccount, next: String?, error: String?) -> HTML {
        Layout.page(
            title: "Choose your password", session: nil, narrow: true,
            """
            <h1>Choose your password</h1>
            <p id="choose-intro">Hello \(person.givenName). You signed in with a temporary password. Choose a password of your own to continue.</p>
            <form class="stack" id="choose-password" method="post" action="\(ChoosePasswordStep.path)">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>New password<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>New password again<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">At least \(PasswordRules.minimumLength) characters, not the temporary one. A few unrelated words make a strong, memorable password.</p>
            <button type="submit">Save and continue</button>
            </form>
            <form class="inline" method="get" action="/login"><button class="link" type="submit">Cancel</button></form>
            """)
    }
}
