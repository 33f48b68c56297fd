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
                if request.query["added"] != nil { .init(kind: .ok, text: "The passkey is added.") } else if request.query["removed"] != nil {
                    .init(kind: .ok, text: "The passkey is removed.")
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
            let store = context.services.people.passkeys
            var generator = SystemRandomNumberGenerator()
            let handle = try store.userHandle(of: session.user.id) { (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let ceremony = PasskeyCeremony.startRegistration(for: .user(session.user.id), now: context.now, using: &generator)
            let party = relyingParty(context)
            let options: JSONValue = [
                "challenge": .string(ceremony.challengeBase64URL),
                "rp": ["id": .string(party.id), "name": "CatalystWells"],
                "user": [
                    "id": .string(SecretToken.base64URL(handle)),
                    "name": .string(session.user.email ?? session.user.username ?? session.user.displayName),
                    "displayName": .string(session.user.displayName),
                ],
                "pubKeyCredParams": .array(PasskeyPublicKey.coseAlgorithms.map { ["type": "public-key", "alg": .int(Int($0))] }),
                "timeout": .int(Int(PasskeyCeremony.lifetime * 1000)),
                "attestation": "none",
                "excludeCredentials": .array(
                    try store.credentialIDs(of: session.user.id).map { ["type": "public-key", "id": .string(SecretToken.base64URL($0))] }),
                "authenticatorSelection": [
                    "residentKey": "required", "requireResidentKey": true,
                    "userVerification": .string(requiresVerification(session.user.role) ? "required" : "preferred"),
                ],
            ]
            return try withCeremony(.json(options), ceremony, context)
        }

        router.add("POST", "/account/passkeys/register") { request, _, context in
            let session = try context.requireSignIn(request, .student, .teacher, .parent, .schoolAdmin, .platformAdmin)
            let form = try context.verifiedForm(request, session: session)
            let store = context.services.people.passkeys
            func refuse(_ message: String, _ reason: String) throws -> HTTPResponse {
                context.logger.info("passkey registration refused", metadata: ["user.id": "\(session.user.id)", "reason": "\(reason)"])
                var response = HTTPResponse.page(
                    PasskeyPages.list(session: session, passkeys: try store.passkeys(of: session.user.id), notice: nil, error: message), status: 400)
                response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
                return response
            }
            guard let ceremony = try openCeremony(request, context), ceremony.purpose == .registration, ceremony.account == .user(session.user.id)
            else { return try refuse("This passkey request has expired or was already answered. Try again.", "no ceremony") }
            guard let attestation = form["attestationObject"].flatMap(Base64URL.decode),
                let clientData = form["clientDataJSON"].flatMap(Base64URL.decode)
            else { return try refuse("The browser's answer could not be read. Try again.", "malformed form") }
            let verified: RegisteredPasskey
            switch PasskeyRegistration.verify(
                attestationObject: attestation, clientDataJSON: clientData, ceremony: ceremony, relyingParty: relyingParty(context),
                requireUserVerification: requiresVerification(session.user.role))
            {
            case .success(let passkey): verified = passkey
            case .failure(let refusal): return try refuse(refusal.message, refusal.logReason)
            }
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard try store.addPasskey(verified, user: session.user.id, name: name.isEmpty ? "Passkey" : name, now: context.now) else {
                return try refuse("This passkey is already registered.", "duplicate credential")
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
            var generator = SystemRandomNumberGenerator()
            let ceremony = PasskeyCeremony.startSignIn(for: nil, now: context.now, using: &generator)
            let options: JSONValue = [
                "challenge": .string(ceremony.challengeBase64URL), "rpId": .string(relyingParty(context).id),
                "timeout": .int(Int(PasskeyCeremony.lifetime * 1000)), "userVerification": "preferred", "allowCredentials": .array([]),
            ]
            return try withCeremony(.json(options), ceremony, context)
        }

        router.add("POST", "/login/passkey") { request, _, context in
            let form = try context.verifiedForm(request, session: nil)
            return try signIn(request, form: form, context: context)
        }
    }

    /// Staff must prove who they are to the authenticator (PIN or biometrics), not only hold it.
    static func requiresVerification(_ role: Role) -> Bool { role == .teacher || role == .schoolAdmin || role == .platformAdmin }

    /// Our relying party: the app site's host and origin, from the configuration (never from request headers).
    static func relyingParty(_ context: RequestContext) -> PasskeyRelyingParty {
        var origin = context.services.configuration.appURL
        while origin.hasSuffix("/") { origin.removeLast() }
        return PasskeyRelyingParty(id: URLComponents(string: origin)?.host ?? "localhost", origins: [origin])
    }

    private static func withCeremony(_ response: HTTPResponse, _ ceremony: PasskeyCeremony, _ context: RequestContext) throws -> HTTPResponse {
        let keys = try context.services.oauth.requireKeys()
        var generator = SystemRandomNumberGenerator()
        var response = response
        response.headers.set("Cache-Control", "no-store")
        response.headers.add(
            "Set-Cookie",
            SessionCookie.set(
                ceremonyCookie, try ceremony.sealed(key: keys.passkeyCeremonyKey, using: &generator), maxAge: Int(PasskeyCeremony.lifetime)))
        return response
    }

    /// The browser's ceremony, if its cookie opens and its challenge was not answered before (recorded now).
    private static func openCeremony(_ request: HTTPRequest, _ context: RequestContext) throws -> PasskeyCeremony? {
        let keys = try context.services.oauth.requireKeys()
        guard let ceremony = PasskeyCeremony.open(request.cookies[ceremonyCookie], key: keys.passkeyCeremonyKey, now: context.now),
            try context.services.people.passkeys.consumeChallenge(ceremony.replayKey, expiresAt: ceremony.expiresAt.addingTimeInterval(120))
        else { return nil }
        return ceremony
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
            return try refuse("Too many failed sign-ins. Wait \(SignInRoutes.describe(seconds: wait)) and try again.", "throttled", count: false)
        }
        guard let ceremony = try openCeremony(request, context), ceremony.purpose == .signIn else {
            return try refuse("This passkey request has expired or was already answered. Try again.", "no ceremony", count: false)
        }
        guard let credentialID = form["credentialId"].flatMap(Base64URL.decode),
            let authenticatorData = form["authenticatorData"].flatMap(Base64URL.decode),
            let clientData = form["clientDataJSON"].flatMap(Base64URL.decode), let signature = form["signature"].flatMap(Base64URL.decode),
            !credentialID.isEmpty, credentialID.count <= 1023
        else { return try refuse("The browser's answer could not be read. Try again.", "malformed form") }
        let userHandle = form["userHandle"].flatMap { $0.isEmpty ? nil : Base64URL.decode($0) }
        let store = context.services.people.passkeys
        guard let found = try store.passkey(credentialID: credentialID) else {
            return try refuse("This passkey is not registered here.", "unknown credential")
        }
        guard let user = try context.services.people.accounts.activeUser(found.user)?.user else {
            return try refuse("This passkey is not registered here.", "owner inactive")
        }
        switch PasskeyAssertion.verify(
            authenticatorData: authenticatorData, clientDataJSON: clientData, signature: signature, userHandle: userHandle,
            credential: found.stored, ceremony: ceremony, relyingParty: relyingParty(context),
            requireUserVerification: requiresVerification(user.role))
        {
        case .failure(let refusal):
            return try refuse(refusal.message, refusal.logReason, user: user)
        case .success(let verified):
            guard try store.recordUse(of: found.id, signCount: verified.signCount, backedUp: verified.backedUp, now: context.now) else {
                return try refuse("This passkey's counter did not move forward; it may have been copied.", "counter raced", user: user)
            }
            let method: AuthenticationMethod = verified.backedUp ? .softwareKey : .hardwareKey
            // With user verification a passkey is two factors in one (possession and PIN or biometrics): no code step.
            var response = try SignInCompletion.complete(
                AuthenticatedPerson(user: user, methods: [method], multiFactor: verified.userVerified), next: next, request: request, context: context
            )
            response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
            return response
        }
    }
}
