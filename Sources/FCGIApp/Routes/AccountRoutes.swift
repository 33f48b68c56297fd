import Domain

/// `/account`: a person's linked sign-ins (upstream accounts), each removable unless it is the last way they can
/// sign in.
enum AccountRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let notice: Layout.Notice? = request.query["unlinked"] != nil ? .init(kind: .ok, text: "The linked sign-in is removed.") : nil
            return try page(session, context, notice: notice, error: nil)
        }

        router.add("POST", "/account/linked/{id}/remove") { request, parameters, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let id = parameters["id"].flatMap(UpstreamLinkID.init) else { throw HTTPError.notFound() }
            let store = context.services.upstream.store
            let links = try store.links(of: session.user.id)
            guard links.contains(where: { $0.id == id }) else { throw HTTPError.notFound() }
            guard try usablePassword(session.user, context) || links.count > 1 else {
                return try page(
                    session, context, notice: nil, error: "This is the only way you can sign in, so it cannot be removed.", status: 409)
            }
            guard try store.removeLink(id, of: session.user.id) else { throw HTTPError.notFound() }
            context.logger.info("upstream account unlinked", metadata: ["user.id": "\(session.user.id)", "link.id": "\(id)"])
            let removed = links.first { $0.id == id }
            try context.audit(.upstreamUnlinked, request, by: session, detail: "\(removed?.providerName ?? ""): \(removed?.label ?? "")")
            return .seeOther("/account?unlinked=1")
        }
    }

    /// Whether the person can sign in with a password: they have one, and their school lets their role use it.
    static func usablePassword(_ user: UserAccount, _ context: RequestContext) throws -> Bool {
        guard try context.services.people.accounts.activeUser(user.id)?.passwordHash != nil else { return false }
        guard let school = user.schoolID else { return true }
        return try context.services.upstream.store.signInPolicy(of: school).allowsPassword(for: user.role)
    }

    private static func page(_ session: SignedIn, _ context: RequestContext, notice: Layout.Notice?, error: String?, status: Int = 200) throws
        -> HTTPResponse
    {
        .page(
            UpstreamPages.account(
                session: session, links: try context.services.upstream.store.links(of: session.user.id),
                hasPassword: try usablePassword(session.user, context), notice: notice, status: error),
            status: status)
    }
}
