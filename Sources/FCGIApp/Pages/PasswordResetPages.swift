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
            <h2>\(L("reset.badge.title"))</h2>
            <p id="badge-state">\(badge.issuedAt.map { L("reset.badge.since", ["day": Display.localDate($0)]) } ?? L("reset.badge.none")) \(L("reset.badge.lost"))</p>
            <form class="inline" id="badge-rotate" method="post" action="\(badgeAction)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="action" value="rotate"><button type="submit"\(badge.allowed ? "" : " disabled")>\(L("reset.badge.new"))</button></form>
            \(badge.issuedAt == nil ? "" : """
                <form class="inline" id="badge-revoke" method="post" action="\(badgeAction)">\(Layout.csrfField(session.csrf))
                <input type="hidden" name="action" value="revoke"><button class="secondary" type="submit">\(L("reset.badge.withdraw"))</button></form>
                """ as HTML)
            """
        return Layout.page(
            title: L("reset.form.title"), session: session,
            """
            <p><a href="\(back.href)">← \(back.label)</a></p>
            <h1>\(LH("reset.form.heading", ["name": "<span id=\"reset-person\">\(person.displayName)</span>"]))</h1>
            <p class="muted">\(roleLabel(person.role)) · \(LH("reset.form.signs_in_as", ["who": "<b>\(who)</b>"])) \(L("reset.form.effects"))\(person.email == nil ? "" : " " + L("reset.form.mail"))</p>
            <h2>\(L("reset.temporary.title"))</h2>
            <form class="stack" id="reset-temporary" method="post" action="\(action)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="kind" value="temporary">
            <p>\(L("reset.temporary.shown_once")) \(mustChange ? L("reset.temporary.must_change") : L("reset.temporary.keep"))</p>
            <button type="submit">\(L("reset.temporary.title"))</button>
            </form>
            <h2>\(L("reset.set.title"))</h2>
            <form class="stack" id="reset-set" method="post" action="\(action)">\(Layout.csrfField(session.csrf))
            <input type="hidden" name="kind" value="set">
            <label>\(L("password.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>\(L("password.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <button type="submit">\(L("reset.set.submit"))</button>
            </form>
            \(badgeSection)
            """)
    }

    /// After a typed password was set.
    static func setDone(session: SignedIn, person: UserAccount, back: Back) -> HTML {
        Layout.page(
            title: L("reset.done.title"), session: session, notice: .init(kind: .ok, text: L("reset.done.notice", ["name": person.displayName])),
            """
            <p><a href="\(back.href)">← \(back.label)</a></p>
            <h1>\(L("reset.done.title"))</h1>
            <p id="reset-done">\(L("reset.done.text", ["name": person.displayName]))</p>
            """)
    }

    /// The policy of the school and the bulk forms: the school admin's Passwords page.
    static func schoolPasswords(
        session: SignedIn, mustChange: Bool, gradeLevels: [String], classes: [ClassSummary], notice: Layout.Notice?
    ) -> HTML {
        let grades = gradeLevels.map { level -> HTML in "<option value=\"\(level)\">\(level)</option>" }
        let classRows = classes.map { c -> HTML in
            """
            <tr data-class-id="\(c.id)"><td>\(c.title)</td><td>\(c.teacherNames.joined(separator: ", "))</td><td class="num">\(SchoolAdminPages.number(c.studentCount ?? 0))</td>
            <td><a href="/school/classes/\(c.id)/cards">\(L("teacher.sign_in_cards"))</a></td></tr>
            """
        }
        return Layout.page(
            title: L("passwords.title"), session: session, notice: notice,
            """
            <h1>\(L("passwords.title"))</h1>
            <p>\(LH("passwords.intro", ["users": "<a href=\"/school/users\">\(L("nav.school.users"))</a>", "log": "<a href=\"/school/security-log?event=password_reset\">\(L("passwords.log_link"))</a>"]))</p>
            <h2>\(L("passwords.temporary"))</h2>
            <form class="stack" id="temporary-policy" method="post" action="/school/passwords">\(Layout.csrfField(session.csrf))
            <label class="check"><input type="checkbox" name="must_change" value="1"\(mustChange ? HTML(unsafeRaw: " checked") : "")>
            \(L("passwords.must_change"))</label>
            <button class="secondary" type="submit">\(L("signin_settings.save"))</button>
            </form>
            <h2>\(L("passwords.grade_cards"))</h2>
            \(gradeLevels.isEmpty ? "<p class=\"muted\">\(L("passwords.no_grades"))</p>" as HTML : """
            <form class="stack" id="grade-cards" method="post" action="/school/grades/cards">\(Layout.csrfField(session.csrf))
            <label>\(L("passwords.grade_level"))<select name="grade_level">\(grades)</select></label>
            <p>\(LH("passwords.grade_intro", ["every": "<b>\(L("passwords.every"))</b>"]))</p>
            <label class="check"><input type="checkbox" name="new_badges" value="1" id="grade-new-badges"> \(L("passwords.new_badges"))</label>
            <p><button type="submit" name="format" value="html">\(L("passwords.show_cards"))</button>
            <button class="secondary" type="submit" name="format" value="pdf">\(L("passwords.pdf_cards"))</button></p>
            </form>
            """)
            <h2>\(L("passwords.class_cards"))</h2>
            <div class="table-wrap"><table id="card-classes"><thead><tr><th scope="col">\(L("school.classes.class"))</th><th scope="col">\(L("school.classes.teachers"))</th><th scope="col" class="num">\(L("school.role.students"))</th><th scope="col"><span class="visually-hidden">\(L("school.users.actions"))</span></th></tr></thead>
            <tbody>\(classRows)</tbody></table></div>
            """)
    }

    /// The step of a sign-in with a temporary password that must be replaced.
    static func choose(csrf: String, person: UserAccount, next: String?, error: String?) -> HTML {
        Layout.page(
            title: L("reset.title.set"), session: nil, narrow: true,
            """
            <h1>\(L("reset.title.set"))</h1>
            <p id="choose-intro">\(L("choose.intro", ["name": person.givenName]))</p>
            <form class="stack" id="choose-password" method="post" action="\(ChoosePasswordStep.path)">\(Layout.csrfField(csrf))
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" as HTML } ?? "")
            <label>\(L("password.new"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordRules.minimumLength)" maxlength="1024" aria-describedby="password-error"\(Layout.invalidFlag(error))>
            \(Layout.fieldError(error, id: "password-error"))</label>
            <label>\(L("password.again"))<input name="confirmation" type="password" autocomplete="new-password" required maxlength="1024"></label>
            <p class="muted">\(L("choose.hint", count: PasswordRules.minimumLength))</p>
            <button type="submit">\(L("choose.submit"))</button>
            </form>
            <form class="inline" method="get" action="/login"><button class="link" type="submit">\(L("choose.cancel"))</button></form>
            """)
    }
}
