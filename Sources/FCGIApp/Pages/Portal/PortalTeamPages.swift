import Domain
import Foundation

/// Developer teams: the organisations list, an organisation's members with invitations, and an invitation link.
/// Forms a member's role does not permit are not shown; the routes refuse them anyway.
enum PortalTeamPages {
    static func list(session: DeveloperSignedIn, memberships: [OrganisationMembership]) -> HTML {
        let rows = memberships.map { membership -> HTML in
            "<tr data-organisation-id=\"\(membership.id)\"><td><a href=\"/organisations/\(membership.id)\">\(membership.name)</a></td><td>\(roleName(membership.role))</td></tr>"
        }
        let start: HTML =
            memberships.contains { $0.role == .owner }
            ? ""
            : "<form class=\"inline\" id=\"start-organisation\" method=\"post\" action=\"/organisations\">\(Layout.csrfField(session.csrf))<button type=\"submit\">\(L("portal.teams.start"))</button></form>"
        return PortalLayout.page(
            title: L("portal.nav.teams"), session: session,
            """
            <h1>\(L("portal.nav.teams"))</h1>
            <p>\(L("portal.teams.intro"))</p>
            \(memberships.isEmpty ? "<p id=\"no-organisations\">\(L("portal.teams.none"))</p>" as HTML : "<table id=\"organisations\"><thead><tr><th scope=\"col\">\(L("portal.teams.organisation"))</th><th scope=\"col\">\(L("portal.teams.your_role"))</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            \(start)
            """)
    }

    static func detail(
        session: DeveloperSignedIn, organisation: OrganisationDetail, activity: [ActivityEntry<OrganisationActivity>], notice: Layout.Notice?,
        error: String?
    ) -> HTML {
        let csrf = Layout.csrfField(session.csrf)
        let me = session.account.id
        let members = organisation.members.map { member -> HTML in
            let isSelf = member.id == me
            let choices = OrganisationRole.invitable.filter { organisation.role.mayManage(current: member.role, to: $0, isSelf: isSelf) }
            var actions: HTML = ""
            if !choices.isEmpty && !(isSelf && !organisation.role.permits(.manageMembers)) {
                let options = choices.map { role -> HTML in
                    "<option value=\"\(role.rawValue)\"\(role == member.role ? HTML(unsafeRaw: " selected") : "")>\(roleName(role))</option>"
                }
                let form: HTML =
                    "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/members/\(member.id)\">\(csrf)<select name=\"role\" aria-label=\"\(L("portal.teams.role_of", ["name": member.name]))\">\(options)</select><button type=\"submit\">\(L("portal.teams.change"))</button></form>"
                actions = actions + form
            }
            if organisation.role.mayManage(current: member.role, to: nil, isSelf: isSelf) {
                let form: HTML =
                    "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/members/\(member.id)\">\(csrf)<input type=\"hidden\" name=\"role\" value=\"remove\"><button type=\"submit\" class=\"danger\" data-remove=\"\(member.email)\">\(isSelf ? L("portal.teams.leave") : L("portal.teams.remove"))</button></form>"
                actions = actions + form
            }
            return """
                <tr data-member="\(member.email)"><td>\(member.name)</td><td>\(member.email)</td><td class="role">\(roleName(member.role))</td>
                <td>\(PortalFormat.dateTime(member.joinedAt))</td><td>\(actions)</td></tr>
                """
        }
        let invitations = organisation.invitations.map { invitation -> HTML in
            let cancel: HTML =
                "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/invitations/\(invitation.id)/cancel\">\(csrf)<button type=\"submit\" class=\"danger\" data-cancel=\"\(invitation.email)\">\(L("portal.teams.cancel"))</button></form>"
            return
                "<tr data-invitation=\"\(invitation.email)\"><td>\(invitation.email)</td><td>\(roleName(invitation.role))</td><td>\(invitation.invitedBy)</td><td>\(PortalFormat.dateTime(invitation.expiresAt))</td><td>\(cancel)</td></tr>"
        }
        var manage: HTML = ""
        if organisation.role.permits(.manageMembers) {
            let roles = OrganisationRole.invitable.map { "<option value=\"\($0.rawValue)\">\(roleName($0))</option>" as HTML }
            manage = """
                <h2>\(L("portal.teams.invite"))</h2>
                \(error.map { "<p class=\"notice error\" id=\"invite-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
                <form class="stack" id="invite-form" method="post" action="/organisations/\(organisation.id)/invitations">\(csrf)
                <label>\(L("portal.teams.email"))<input name="email" type="email" maxlength="254" required></label>
                <label>\(L("portal.teams.role"))<select name="role">\(roles)</select></label>
                <button type="submit">\(L("portal.teams.send_invitation"))</button></form>
                \(organisation.invitations.isEmpty ? "" : "<h3>\(L("portal.teams.waiting"))</h3><table id=\"invitations\"><thead><tr><th scope=\"col\">\(L("portal.teams.email"))</th><th scope=\"col\">\(L("portal.teams.role"))</th><th scope=\"col\">\(L("portal.teams.invited_by"))</th><th scope=\"col\">\(L("portal.teams.expires"))</th><th scope=\"col\"></th></tr></thead><tbody>\(invitations)</tbody></table>" as HTML)
                """
        }
        var transfer: HTML = ""
        let admins = organisation.members.filter { $0.role == .admin }
        if organisation.role.permits(.transferOwnership) && !admins.isEmpty {
            let options = admins.map { "<option value=\"\($0.id)\">\($0.name) (\($0.email))</option>" as HTML }
            transfer = """
                <h2>\(L("portal.teams.transfer_title"))</h2>
                <p>\(L("portal.teams.transfer_intro"))</p>
                <form class="stack" id="transfer-form" method="post" action="/organisations/\(organisation.id)/transfer">\(csrf)
                <label>\(L("portal.teams.new_owner"))<select name="to">\(options)</select></label>
                <button type="submit">\(L("portal.teams.transfer"))</button></form>
                """
        }
        return PortalLayout.page(
            title: organisation.name, session: session, notice: notice,
            """
            <p><a href="/organisations">← \(L("portal.nav.teams"))</a></p>
            <h1>\(organisation.name)</h1>
            <p class="muted">\(L("portal.teams.your_role")): <strong id="my-role">\(roleName(organisation.role))</strong></p>
            <h2>\(L("portal.teams.members"))</h2>
            <table id="members"><thead><tr><th scope="col">\(L("portal.teams.name"))</th><th scope="col">\(L("portal.teams.email"))</th><th scope="col">\(L("portal.teams.role"))</th><th scope="col">\(L("portal.teams.joined"))</th><th scope="col"></th></tr></thead>
            <tbody>\(members)</tbody></table>
            \(manage)
            \(transfer)
            \(PortalActivity.organisation(activity))
            """)
    }

    private static let otherAddress: HTML =
        "<p id=\"invitation-problem\">\(L("portal.invitation.other_address"))</p>"

    static func invitation(session: DeveloperSignedIn, token: String, status: OrganisationInvitationStatus) -> HTML {
        let body: HTML
        switch status {
        case .valid(_, let name, let role, let email):
            body =
                email == session.account.email
                ? """
                <p>\(LH("portal.invitation.invited", ["organisation": "<strong id=\"invitation-organisation\">\(name)</strong>", "role": "\(roleName(role).lowercased())"]))</p>
                <form class="inline" id="accept-invitation" method="post" action="/invitations/\(token)">\(Layout.csrfField(session.csrf))<button type="submit">\(L("portal.invitation.join", ["organisation": name]))</button></form>
                """
                : otherAddress
        case .otherAddress: body = otherAddress
        case .used: body = "<p id=\"invitation-problem\">\(L("portal.invitation.used"))</p>"
        case .expired: body = "<p id=\"invitation-problem\">\(L("portal.invitation.expired"))</p>"
        case .invalid: body = "<p id=\"invitation-problem\">\(L("portal.invitation.invalid"))</p>"
        }
        return PortalLayout.page(
            title: L("portal.invitation.title"), session: session, narrow: true, "<h1>\(L("portal.invitation.title"))</h1>\(body)")
    }

    /// A role in an organisation, in the page's language.
    static func roleName(_ role: OrganisationRole) -> String {
        switch role {
        case .viewer: L("portal.teams.role.viewer")
        case .developer: L("portal.teams.role.developer")
        case .admin: L("portal.teams.role.admin")
        case .owner: L("portal.teams.role.owner")
        }
    }
}
