import Domain

/// `/account`: a person's linked sign-ins (upstream accounts), each removable unless it is the last way they can
/// sign in; `/account/sessions`: where they are signed in, with sign-out per session and everywhere else.
enum AccountRoutes {
    static let everyone: [Role] = [.student, .teacher, .parent, .schoolAdmin, .platformAdmin]

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/sessions") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let policy = context.services.configuration.signIn.sessionPolicy
            let now = context.now
            let list = try context.services.people.sessions.sessions(of: session.user.id, current: session.digest).filter {
                if case .valid = policy.evaluate(createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, now: now) { return true }
                return false
            }
            let notice: Layout.Notice? = request.query["ended"].map {
                .init(kind: .ok, text: $0 == "others" ? L("sessions.others_ended") : L("sessions.one_ended"))
            }
            return .page(UpstreamPages.sessions(session: session, list: list, notice: notice))
        }

        router.add("POST", "/account/sessions/{number}/revoke") { request, parameters, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let number = parameters["number"].flatMap({ Int64($0) }), number > 0 else { throw HTTPError.notFound() }
            if let digest = try context.services.oauth.logout.sessionDigest(number: number, of: session.user.id) {
                context.queueBackchannelLogouts(sessionDigests: [digest])
            }
            guard try context.services.people.sessions.deleteSession(number: number, of: session.user.id)
            else { throw HTTPError.notFound() }
            try context.audit(.signOut, request, by: session, detail: "session \(number) ended from the sessions page")
            return .seeOther("/account/sessions?ended=one")
        }

        router.add("POST", "/account/sessions/revoke-others") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            context.queueBackchannelLogouts(
                sessionDigests: try context.services.oauth.logout.sessionDigests(of: session.user.id, keeping: session.digest))
            try context.services.people.sessions.deleteSessions(of: session.user.id, keeping: session.digest)
            try context.audit(.signOut, request, by: session, detail: "every other session ended")
            return .seeOther("/account/sessions?ended=others")
        }

        router.add("GET", "/account") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let notice: Layout.Notice? = request.query["unlinked"] != nil ? .init(kind: .ok, text: L("account.unlinked")) : nil
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
                    session, context, notice: nil, error: L("account.unlink.only_way"), status: 409)
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
