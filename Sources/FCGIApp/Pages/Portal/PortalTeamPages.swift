import Domain
import Foundation

/// Developer teams: the organisations list, an organisation's members with invitations, and an invitation link.
/// Forms a member's role does not permit are not shown; the routes refuse them anyway.
enum PortalTeamPages {
    static func list(session: DeveloperSignedIn, memberships: [OrganisationMembership]) -> HTML {
        let rows = memberships.map { membership -> HTML in
            "<tr data-organisation-id=\"\(membership.id)\"><td><a href=\"/organisations/\(membership.id)\">\(membership.name)</a></td><td>\(membership.role.label)</td></tr>"
        }
        let start: HTML =
            memberships.contains { $0.role == .owner }
            ? ""
            : "<form class=\"inline\" id=\"start-organisation\" method=\"post\" action=\"/organisations\">\(Layout.csrfField(session.csrf))<button type=\"submit\">Start your own organisation</button></form>"
        return PortalLayout.page(
            title: "Teams", session: session,
            """
            <h1>Teams</h1>
            <p>An organisation owns apps. Its members see them; developers edit them; admins also manage credentials and members; the owner also hands the organisation over.</p>
            \(memberships.isEmpty ? HTML("<p id=\"no-organisations\">You belong to no organisation yet. Your first app starts your own.</p>") : HTML("<table id=\"organisations\"><thead><tr><th scope=\"col\">Organisation</th><th scope=\"col\">Your role</th></tr></thead><tbody>\(rows)</tbody></table>"))
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
                    "<option value=\"\(role.rawValue)\"\(role == member.role ? HTML(unsafeRaw: " selected") : "")>\(role.label)</option>"
                }
                let form: HTML =
                    "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/members/\(member.id)\">\(csrf)<select name=\"role\" aria-label=\"Role of \(member.name)\">\(options)</select><button type=\"submit\">Change</button></form>"
                actions = actions + form
            }
            if organisation.role.mayManage(current: member.role, to: nil, isSelf: isSelf) {
                let form: HTML =
                    "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/members/\(member.id)\">\(csrf)<input type=\"hidden\" name=\"role\" value=\"remove\"><button type=\"submit\" class=\"danger\" data-remove=\"\(member.email)\">\(isSelf ? "Leave" : "Remove")</button></form>"
                actions = actions + form
            }
            return """
                <tr data-member="\(member.email)"><td>\(member.name)</td><td>\(member.email)</td><td class="role">\(member.role.label)</td>
                <td>\(Display.dateTime(member.joinedAt))</td><td>\(actions)</td></tr>
                """
        }
        let invitations = organisation.invitations.map { invitation -> HTML in
            let cancel: HTML =
                "<form class=\"inline\" method=\"post\" action=\"/organisations/\(organisation.id)/invitations/\(invitation.id)/cancel\">\(csrf)<button type=\"submit\" class=\"danger\" data-cancel=\"\(invitation.email)\">Cancel</button></form>"
            return
                "<tr data-invitation=\"\(invitation.email)\"><td>\(invitation.email)</td><td>\(invitation.role.label)</td><td>\(invitation.invitedBy)</td><td>\(Display.dateTime(invitation.expiresAt))</td><td>\(cancel)</td></tr>"
        }
        var manage: HTML = ""
        if organisation.role.permits(.manageMembers) {
            let roles = OrganisationRole.invitable.map { "<option value=\"\($0.rawValue)\">\($0.label)</option>" as HTML }
            manage = """
                <h2>Invite a member</h2>
                \(error.map { "<p class=\"notice error\" id=\"invite-error\" role=\"alert\">\($0)</p>" as HTML } ?? "")
                <form class="stack" id="invite-form" method="post" action="/organisations/\(organisation.id)/invitations">\(csrf)
                <label>Email<input name="email" type="email" maxlength="254" required></label>
                <label>Role<select name="role">\(roles)</select></label>
                <button type="submit">Send the invitation</button></form>
                \(organisation.invitations.isEmpty ? "" : HTML("<h3>Waiting invitations</h3><table id=\"invitations\"><thead><tr><th scope=\"col\">Email</th><th scope=\"col\">Role</th><th scope=\"col\">Invited by</th><th scope=\"col\">Expires</th><th scope=\"col\"></th></tr></thead><tbody>\(invitations)</tbody></table>"))
                """
        }
        var transfer: HTML = ""
        let admins = organisation.members.filter { $0.role == .admin }
        if organisation.role.permits(.transferOwnership) && !admins.isEmpty {
            let options = admins.map { "<option value=\"\($0.id)\">\($0.name) (\($0.email))</option>" as HTML }
            transfer = """
                <h2>Hand the organisation over</h2>
                <p>The admin you choose becomes the owner; you stay an admin.</p>
                <form class="stack" id="transfer-form" method="post" action="/organisations/\(organisation.id)/transfer">\(csrf)
                <label>New owner<select name="to">\(options)</select></label>
                <button type="submit">Transfer ownership</button></form>
                """
        }
        return PortalLayout.page(
            title: organisation.name, session: session, notice: notice,
            """
            <p><a href="/organisations">← Teams</a></p>
            <h1>\(organisation.name)</h1>
            <p class="muted">Your role: <strong id="my-role">\(organisation.role.label)</strong></p>
            <h2>Members</h2>
            <table id="members"><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"></th></tr></thead>
            <tbody>\(members)</tbody></table>
            \(manage)
            \(transfer)
            \(PortalActivity.organisation(activity))
            """)
    }

    private static let otherAddress: HTML =
        "<p id=\"invitation-problem\">This invitation is for another email address. Sign in with the account of the address it was sent to.</p>"

    static func invitation(session: DeveloperSignedIn, token: String, status: OrganisationInvitationStatus) -> HTML {
        let body: HTML
        switch status {
        case .valid(_, let name, let role, let email):
            body =
                email == session.account.email
                ? """
                <p>You are invited to join <strong id="invitation-organisation">\(name)</strong> as \(role.label.lowercased()).</p>
                <form class="inline" id="accept-invitation" method="post" action="/invitations/\(token)">\(Layout.csrfField(session.csrf))<button type="submit">Join \(name)</button></form>
                """
                : otherAddress
        case .otherAddress: body = otherAddress
        case .used: body = "<p id=\"invitation-problem\">This invitation has been used already. Ask for a new one if you need it.</p>"
        case .expired: body = "<p id=\"invitation-problem\">This invitation has expired or was cancelled. Ask for a new one.</p>"
        case .invalid: body = "<p id=\"invitation-problem\">This invitation link is not valid.</p>"
        }
        return PortalLayout.page(title: "Invitation", session: session, narrow: true, "<h1>Invitation</h1>\(body)")
    }
}
