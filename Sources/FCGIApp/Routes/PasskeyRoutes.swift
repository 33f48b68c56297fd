import Crypto
import Domain
import Foundation

/// Passkeys of school users (issue 16, item 4), with ``PasskeyRegistration`` and ``PasskeyAssertion`` doing every
/// check:
/// - `/account/passkeys`: the person's passkeys; `POST …/options` gives creation options (ES256 and RS256,
///   attestation "none", user verification required for staff) and a sealed ceremony cookie; `POST …/register`
///   verifies the authenticator's answer and stores the key; `POST …/{id}/remove`;
/// - `POST /login/passkey/options` and `POST /login/passkey`: passwordless sign-in with a discoverable passkey, which
///   goes through the sign-in seam with `amr` "hwk" (or "swk" for a synced passkey); a passkey with user verification
///   counts as two factors, so no code step follows.
/// A challenge is answered once (its digest is recorded), the cookie is cleared at the first answer.
enum PasskeyRoutes {
    static let ceremonyCookie = "__Host-cw_passkey"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/passkeys") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let notice: Layout.Notice? =
                if request.query["added"] != nil { .init(kind: .ok, text: L("passkeys.added_notice")) } else if request.query["removed"] != nil {
                    .init(kind: .ok, text: L("passkeys.removed_notice"))
                } else { nil }
            // Added as the second factor someone was sent to set up: back to where they were going.
            let resume = request.query["added"] != nil ? try SecondFactorRoutes.resumePath(request, context: context) : nil
            var response = HTTPResponse.page(
                PasskeyPages.list(
                    session: session, passkeys: try context.services.people.passkeys.passkeys(of: session.user.id), notice: notice, error: nil,
                    continueTo: resume))
            if resume != nil { response.headers.add("Set-Cookie", SessionCookie.clear(SecondFactorRoutes.resumeCookie)) }
            return response
        }

        router.add("POST", "/account/passkeys/options") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            return try ceremonies(context).registrationOptions(
                for: session.user.id, name: session.user.email ?? session.user.username ?? session.user.displayName,
                displayName: session.user.displayName, requireVerification: requiresVerification(session.user.role))
        }

        router.add("POST", "/account/passkeys/register") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            let verified: RegisteredPasskey
            do {
                verified = try ceremonies(context).register(
                    form, request: request, owner: session.user.id, requireVerification: requiresVerification(session.user.role))
            } catch let refusal as PasskeyCeremonies<UserRecord>.Refusal {
                context.logger.info("passkey registration refused", metadata: ["user.id": "\(session.user.id)", "reason": "\(refusal.reason)"])
                var response = HTTPResponse.page(
                    PasskeyPages.list(
                        session: session, passkeys: try context.services.people.passkeys.passkeys(of: session.user.id), notice: nil,
                        error: refusal.message),
                    status: 400)
                response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
                return response
            }
            try context.audit(.secondFactorChanged, request, by: session, detail: "passkey added (\(verified.backedUp ? "synced" : "device-bound"))")
            var response = HTTPResponse.seeOther("/account/passkeys?added=1")
            response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
            return response
        }

        router.add("POST", "/account/passkeys/{id}/remove") { request, parameters, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            _ = try context.verifiedForm(request, session: session)
            guard let id = parameters["id"].flatMap({ Int64($0) }), id > 0,
                try context.services.people.passkeys.removePasskey(id, of: session.user.id)
            else { throw HTTPError.notFound() }
            try context.audit(.secondFactorChanged, request, by: session, detail: "passkey removed")
            return .seeOther("/account/passkeys?removed=1")
        }

        router.add("POST", "/login/passkey/options") { request, _, context in
            _ = try context.verifiedForm(request, session: nil)
            return try ceremonies(context).signInOptions()
        }

        router.add("POST", "/login/passkey") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try signIn(request, form: form, context: context)
        }
    }

    /// Staff must prove who they are to the authenticator (PIN or biometrics), not only hold it.
    static func requiresVerification(_ role: Role) -> Bool { role == .teacher || role == .schoolAdmin || role == .platformAdmin }

    /// The app site's passkey ceremonies: its relying party (the app URL's host), cookie and key, school users' store.
    static func ceremonies(_ context: RequestContext) throws -> PasskeyCeremonies<UserRecord> {
        PasskeyCeremonies(
            store: context.services.people.passkeys, party: .site(url: context.services.configuration.appURL), cookie: ceremonyCookie,
            key: try context.services.oauth.requireKeys().passkeyCeremonyKey, now: context.now)
    }

    private static func signIn(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let next = SignInRoutes.safeNext(form["next"])
        func refuse(_ message: String, _ reason: String, user: UserAccount? = nil, count: Bool = true) throws -> HTTPResponse {
            if count { try SignInCompletion.recordAddressFailure(method: .hardwareKey, request: request, context: context) }
            try context.audit(
                .signInFailed, request, school: user?.schoolID, actor: nil, subject: user?.id, method: AuthenticationMethod.hardwareKey.rawValue,
                detail: reason)
            context.logger.info("passkey sign-in refused", metadata: ["reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            var response = try SignInRoutes.signInPage(request, context: context, next: next, error: message, status: 400)
            response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
            return response
        }
        if let wait = try SignInCompletion.addressWait(request: request, context: context) {
            return try refuse(SignInRoutes.throttledMessage(wait: wait), "throttled", count: false)
        }
        // The passkey's owner, once the stored key is found (a refusal after that is audited with them).
        var owner: UserAccount?
        let verified: VerifiedPasskeyAssertion
        do {
            (_, verified) = try ceremonies(context).signIn(form, request: request) { id in
                owner = try context.services.people.accounts.activeUser(id)?.user
                return owner.map { requiresVerification($0.role) }
            }
        } catch let refusal as PasskeyCeremonies<UserRecord>.Refusal {
            return try refuse(refusal.message, refusal.reason, user: owner, count: refusal.reason != "no ceremony")
        }
        guard let user = owner else { return try refuse(L("passkeys.unknown"), "owner inactive") }
        let method: AuthenticationMethod = verified.backedUp ? .softwareKey : .hardwareKey
        // With user verification a passkey is two factors in one (possession and PIN or biometrics): no code step.
        var response = try SignInCompletion.complete(
            AuthenticatedPerson(user: user, methods: [method], multiFactor: verified.userVerified), next: next, request: request, context: context)
        response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
        return response
    }
}
