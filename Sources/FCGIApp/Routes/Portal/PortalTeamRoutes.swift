import Domain
import Foundation

/// Developer teams (issue 20 item 6): organisations, their members, invitations by mail and ownership transfer.
///
/// A non-member asking for an organisation gets 404, like another developer's app; a member whose role does not
/// permit an action gets 403 and nothing changes. The roles are ``OrganisationRole``'s table, and the store reads
/// them again in the transaction that writes, so a member removed a moment ago is refused at once.
enum PortalTeamRoutes {
    /// How long an invitation link works.
    static let invitationLifetime: TimeInterval = 7 * 24 * 3600

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/organisations") { request, _, context in
            let session = try context.requireDeveloper(request)
            let memberships = try context.services.portal.organisations.organisations(of: session.account.id)
            return .page(PortalTeamPages.list(session: session, memberships: memberships))
        }

        router.add("POST", "/organisations") { request, _, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            let id = try context.services.portal.organisations.personalOrganisation(of: session.account.id, now: context.now)
            return .seeOther("/organisations/\(id)")
        }

        router.add("GET", "/organisations/{id}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let organisation = try member(parameters, session: session, context: context)
            return .page(
                PortalTeamPages.detail(
                    session: session, organisation: organisation, activity: try activity(of: organisation, session: session, context: context),
                    notice: notice(request.query["done"]), error: nil))
        }

        router.add("POST", "/organisations/{id}/invitations") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let organisation = try member(parameters, session: session, context: context)
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard let role = form["role"].flatMap(OrganisationRole.init(rawValue:)), OrganisationRole.invitable.contains(role) else {
                return .page(
                    PortalTeamPages.detail(
                        session: session, organisation: organisation, activity: try activity(of: organisation, session: session, context: context),
                        notice: nil, error: L("portal.msg.team.choose_role")),
                    status: 422)
            }
            guard email.utf8.count <= DeveloperSignUpForm.maximumEmailBytes, DeveloperSignUpForm.isPlausibleEmail(email) else {
                return .page(
                    PortalTeamPages.detail(
                        session: session, organisation: organisation, activity: try activity(of: organisation, session: session, context: context),
                        notice: nil, error: L("portal.msg.team.email")),
                    status: 422)
            }
            guard organisation.role.mayInvite(as: role) else { throw HTTPError(status: 403, code: "forbidden", roleMessage) }
            var generator = SystemRandomNumberGenerator()
            let token = SecretToken.make(prefix: TokenPrefix.organisationInvitation, using: &generator)
            let expires = context.now.addingTimeInterval(invitationLifetime)
            guard
                try context.services.portal.organisations.createInvitation(
                    NewOrganisationInvitation(
                        organisation: organisation.id, email: email, role: role, digest: SecretToken.digest(token), expiresAt: expires),
                    by: session.account.id, now: context.now)
            else { throw HTTPError(status: 403, code: "forbidden", roleMessage) }
            let services = context.services
            let name = organisation.name
            let inviter = session.account.name
            let language = MailLanguage.ofRequest
            context.afterSending("portal mail") {
                try PortalMail.sendInvitation(
                    token: token, to: email, organisation: name, role: role, inviter: inviter, expiresAt: expires, services: services,
                    language: language)
            }
            context.logger.info(
                "organisation invitation sent", metadata: ["developer.id": "\(session.account.id)", "organisation.id": "\(organisation.id)"])
            return .seeOther("/organisations/\(organisation.id)?done=invited")
        }

        router.add("POST", "/organisations/{id}/members/{developer}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let organisation = try member(parameters, session: session, context: context)
            guard let target = parameters["developer"].flatMap(DeveloperID.init) else { throw HTTPError.notFound() }
            let role: OrganisationRole?
            switch form["role"] {
            case "remove": role = nil
            case let value?:
                guard let parsed = OrganisationRole(rawValue: value) else {
                    throw HTTPError(status: 400, code: "invalid_request", "Choose a role, or remove the member.")
                }
                role = parsed
            case nil: throw HTTPError(status: 400, code: "invalid_request", "Choose a role, or remove the member.")
            }
            switch try context.services.portal.organisations.changeMember(
                target, of: organisation.id, to: role, by: session.account.id, now: context.now)
            {
            case .changed: break
            case .notFound: throw HTTPError.notFound()
            case .forbidden: throw HTTPError(status: 403, code: "forbidden", roleMessage)
            }
            context.logger.info(
                role == nil ? "organisation member removed" : "organisation member role changed",
                metadata: ["developer.id": "\(session.account.id)", "organisation.id": "\(organisation.id)", "member.id": "\(target)"])
            if role == nil && target == session.account.id { return .seeOther("/organisations?done=left") }
            return .seeOther("/organisations/\(organisation.id)?done=\(role == nil ? "removed" : "changed")")
        }

        router.add("POST", "/organisations/{id}/transfer") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            let organisation = try member(parameters, session: session, context: context)
            guard let target = form["to"].flatMap(DeveloperID.init) else {
                throw HTTPError(status: 400, code: "invalid_request", "Choose the admin who becomes the owner.")
            }
            switch try context.services.portal.organisations.transferOwnership(
                of: organisation.id, to: target, by: session.account.id, now: context.now)
            {
            case .changed: break
            case .notFound: throw HTTPError.notFound()
            case .forbidden:
                throw HTTPError(status: 403, code: "forbidden", "Only the owner can hand the organisation over, and only to one of its admins.")
            }
            context.logger.info(
                "organisation ownership transferred",
                metadata: ["developer.id": "\(session.account.id)", "organisation.id": "\(organisation.id)", "member.id": "\(target)"])
            return .seeOther("/organisations/\(organisation.id)?done=transferred")
        }

        router.add("POST", "/organisations/{id}/invitations/{invitation}/cancel") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            let organisation = try member(parameters, session: session, context: context)
            guard let invitation = parameters["invitation"].flatMap(OrganisationInvitationID.init) else { throw HTTPError.notFound() }
            switch try context.services.portal.organisations.cancelInvitation(
                invitation, of: organisation.id, by: session.account.id, now: context.now)
            {
            case .changed: break
            case .notFound: throw HTTPError.notFound()
            case .forbidden: throw HTTPError(status: 403, code: "forbidden", roleMessage)
            }
            context.logger.info(
                "organisation invitation cancelled", metadata: ["developer.id": "\(session.account.id)", "organisation.id": "\(organisation.id)"])
            return .seeOther("/organisations/\(organisation.id)?done=cancelled")
        }

        // The mailed link: signed out, sign in (or sign up, verify, sign in) and come back to it.
        router.add("GET", "/invitations/{token}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            let token = parameters["token"] ?? ""
            let status = try invitationStatus(token, context: context)
            guard case .valid = status else { return .page(PortalTeamPages.invitation(session: session, token: token, status: status), status: 410) }
            return .page(PortalTeamPages.invitation(session: session, token: token, status: status))
        }

        router.add("POST", "/invitations/{token}") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            let token = parameters["token"] ?? ""
            guard SecretToken.isWellFormed(token, prefix: TokenPrefix.organisationInvitation) else {
                return .page(PortalTeamPages.invitation(session: session, token: token, status: .invalid), status: 410)
            }
            let status = try context.services.portal.organisations.acceptInvitation(
                digest: SecretToken.digest(token), by: session.account.id, email: session.account.email, now: context.now)
            guard case .valid(let organisation, _, _, _) = status else {
                return .page(PortalTeamPages.invitation(session: session, token: token, status: status), status: status == .otherAddress ? 403 : 410)
            }
            context.logger.info(
                "organisation invitation accepted", metadata: ["developer.id": "\(session.account.id)", "organisation.id": "\(organisation)"])
            return .seeOther("/organisations/\(organisation)?done=joined")
        }
    }

    private static var roleMessage: String { L("portal.msg.team.role") }

    /// The organisation of the URL if the developer is a member; 404 otherwise.
    private static func member(_ parameters: RouteParameters, session: DeveloperSignedIn, context: RequestContext) throws -> OrganisationDetail {
        guard let id = parameters["id"].flatMap(OrganisationID.init),
            let organisation = try context.services.portal.organisations.organisation(id, member: session.account.id, now: context.now)
        else { throw HTTPError.notFound() }
        return organisation
    }

    /// The organisation's member events for its page (the last ``ActivityDetail/pageLimit``).
    private static func activity(of organisation: OrganisationDetail, session: DeveloperSignedIn, context: RequestContext) throws
        -> [ActivityEntry<OrganisationActivity>]
    {
        try context.services.portal.organisations.activity(of: organisation.id, member: session.account.id, limit: ActivityDetail.pageLimit)
            ?? []
    }

    private static func invitationStatus(_ token: String, context: RequestContext) throws -> OrganisationInvitationStatus {
        guard SecretToken.isWellFormed(token, prefix: TokenPrefix.organisationInvitation) else { return .invalid }
        return try context.services.portal.organisations.invitation(digest: SecretToken.digest(token), now: context.now)
    }

    private static func notice(_ done: String?) -> Layout.Notice? {
        let text: String? =
            switch done {
            case "invited": L("portal.msg.team.invited")
            case "joined": L("portal.msg.team.joined")
            case "changed": L("portal.msg.team.changed")
            case "removed": L("portal.msg.team.removed")
            case "transferred": L("portal.msg.team.transferred")
            case "cancelled": L("portal.msg.team.cancelled")
            default: nil
            }
        return text.map { .init(kind: .ok, text: $0) }
    }
}
