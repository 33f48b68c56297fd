import Domain
import Foundation

/// Passkeys of developers on the portal (issue 16, item 4), with the app site's rules (``PasskeyCeremonies``,
/// ``PasskeyRegistration``, ``PasskeyAssertion``) over the developers database's own tables:
/// - `/account/passkeys`: the developer's passkeys; `POST …/options`, `POST …/register`, `POST …/{id}/remove`;
/// - `POST /login/passkey/options` and `POST /login/passkey` on the sign-in page: a passwordless sign-in with a
///   discoverable passkey. Developers hold credentials of apps that read student data, so user verification
///   (PIN or biometrics) is always required; the passkey is then two factors in one and no TOTP code follows.
/// The relying party is the developers site's host (`developers_url`), so a portal passkey is useless on the app
/// site and the other way round. Failures count against the address as password failures do.
enum PortalPasskeyRoutes {
    static let ceremonyCookie = "__Host-cwd_passkey"

    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/account/passkeys") { request, _, context in
            let session = try context.requireDeveloper(request)
            let notice: Layout.Notice? =
                if request.query["added"] != nil { .init(kind: .ok, text: L("portal.msg.passkey.added")) } else if request.query["removed"] != nil {
                    .init(kind: .ok, text: L("portal.msg.passkey.removed"))
                } else { nil }
            return .page(
                PasskeyPages.portalList(
                    session: session, passkeys: try context.services.portal.passkeys.passkeys(of: session.account.id), notice: notice, error: nil))
        }

        router.add("POST", "/account/passkeys/options") { request, _, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            return try ceremonies(context).registrationOptions(
                for: session.account.id, name: session.account.email, displayName: session.account.name, requireVerification: true)
        }

        router.add("POST", "/account/passkeys/register") { request, _, context in
            let session = try context.requireDeveloper(request)
            let form = try context.verifiedForm(request, developer: session)
            do {
                let verified = try ceremonies(context).register(form, request: request, owner: session.account.id, requireVerification: true)
                context.logger.info(
                    "developer added a passkey", metadata: ["developer.id": "\(session.account.id)", "passkey.synced": "\(verified.backedUp)"])
            } catch let refusal as PasskeyCeremonies<DeveloperRecord>.Refusal {
                context.logger.info(
                    "developer passkey registration refused", metadata: ["developer.id": "\(session.account.id)", "reason": "\(refusal.reason)"])
                var response = HTTPResponse.page(
                    PasskeyPages.portalList(
                        session: session, passkeys: try context.services.portal.passkeys.passkeys(of: session.account.id), notice: nil,
                        error: refusal.message),
                    status: 400)
                response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
                return response
            }
            var response = HTTPResponse.seeOther("/account/passkeys?added=1")
            response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
            return response
        }

        router.add("POST", "/account/passkeys/{id}/remove") { request, parameters, context in
            let session = try context.requireDeveloper(request)
            _ = try context.verifiedForm(request, developer: session)
            guard let id = parameters["id"].flatMap({ Int64($0) }), id > 0,
                try context.services.portal.passkeys.removePasskey(id, of: session.account.id)
            else { throw HTTPError.notFound() }
            context.logger.info("developer removed a passkey", metadata: ["developer.id": "\(session.account.id)"])
            return .seeOther("/account/passkeys?removed=1")
        }

        router.add("POST", "/login/passkey/options") { request, _, context in
            _ = try context.verifiedForm(request, signedIn: false)
            return try ceremonies(context).signInOptions()
        }

        router.add("POST", "/login/passkey") { request, _, context in
            let form = try context.verifiedForm(request, signedIn: false)
            return try signIn(request, form: form, context: context)
        }
    }

    /// The portal's passkey ceremonies: the developers site's relying party, cookie and key, developers' store.
    static func ceremonies(_ context: RequestContext) throws -> PasskeyCeremonies<DeveloperRecord> {
        guard let keys = context.services.portal.keys else { throw HTTPError.unavailable() }
        return PasskeyCeremonies(
            store: context.services.portal.passkeys, party: .site(url: context.services.configuration.developersURL), cookie: ceremonyCookie,
            key: keys.passkeyCeremonyKey, now: context.now)
    }

    private static func signIn(_ request: HTTPRequest, form: Parameters, context: RequestContext) throws -> HTTPResponse {
        let next = SignInRoutes.safeNext(form["next"])
        let addressKey = SignInThrottlePolicy.key(.address, request.remoteAddress)
        func refuse(_ message: String, _ reason: String, count: Bool = true, status: Int = 400) throws -> HTTPResponse {
            if count { try context.recordPortalFailure(addressKey, scope: .address) }
            context.logger.info("developer passkey sign-in refused", metadata: ["reason": "\(reason)", "client.address": "\(request.remoteAddress)"])
            let csrf = context.signedOutFormToken(request).csrf
            var response = HTTPResponse.page(
                PortalAccountPages.signIn(csrf: csrf, email: "", next: next, error: message, notice: nil), status: status)
            response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
            return response
        }
        if let wait = try context.portalRetryAfter([addressKey]) {
            var response = try refuse(
                L("portal.msg.throttled.signins", ["wait": SignInRoutes.describe(seconds: wait)]), "throttled", count: false, status: 429)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        var owner: DeveloperAccount?
        do {
            _ = try ceremonies(context).signIn(form, request: request) { id in
                // A suspended account signs in by no method; it is refused like an unknown passkey.
                owner = try context.services.portal.accounts.developer(id).map(\.account).flatMap { $0.state == .suspended ? nil : $0 }
                return owner == nil ? nil : true
            }
        } catch let refusal as PasskeyCeremonies<DeveloperRecord>.Refusal {
            return try refuse(refusal.message, refusal.reason, count: refusal.reason != "no ceremony")
        }
        guard let account = owner else { return try refuse("This passkey is not registered here.", "owner inactive") }
        var response = try PortalSignInRoutes.startSession(for: account, request: request, next: next, context: context)
        response.headers.add("Set-Cookie", SessionCookie.clear(ceremonyCookie))
        return response
    }
}
