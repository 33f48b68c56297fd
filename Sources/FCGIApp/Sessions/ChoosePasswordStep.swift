import Domain
import Foundation

/// The "choose your password" step after a password sign-in with a temporary password that the school wants
/// replaced (issue 16, item 1).
///
/// It runs before any session is made: the password sign-in, having checked the password, hands over to
/// ``detour(_:next:context:)``, which sets a ``ChoosePasswordTicket`` cookie instead of a session and sends the
/// browser to `/login/choose-password`. Only when the person has chosen a password there does the sign-in
/// complete (``SignInCompletion/complete(_:next:request:context:)``, the same session, cookie and audit line as
/// any sign-in). So there is no half-signed-in session that every other page, the OAuth endpoints and the API
/// would each have to refuse: with the temporary password alone nothing but this step can be reached.
///
/// Only the password method is detoured: a person who signs in with their school's own accounts does not use the
/// temporary password at all.
enum ChoosePasswordStep {
    /// The cookie holding the ticket: HttpOnly, `__Host-`, for the ticket's lifetime.
    static let cookie = "__Host-cw_choose"
    static let path = "/login/choose-password"

    /// The redirect to the step when `person` signed in with a password that must be changed; `nil` otherwise.
    static func detour(_ person: AuthenticatedPerson, next: String?, context: RequestContext) throws -> HTTPResponse? {
        let services = context.services
        guard person.methods.contains(.password), try services.people.resets.mustChangePassword(person.user.id),
            let hash = try services.people.accounts.activeUser(person.user.id)?.passwordHash
        else { return nil }
        let key = try services.oauth.requireKeys().choosePasswordKey
        let ticket = ChoosePasswordTicket.make(user: person.user.id, passwordHash: hash, now: context.now, key: key)
        context.logger.info("sign-in waits for a new password", metadata: ["user.id": "\(person.user.id)"])
        var response = HTTPResponse.seeOther(path + (next.map { "?next=" + FormCodec.encode($0) } ?? ""))
        response.headers.add("Set-Cookie", SessionCookie.set(cookie, ticket, maxAge: Int(ChoosePasswordTicket.lifetime)))
        return response
    }

    /// The person of the request's ticket, with their stored hash, while the ticket is valid and their password
    /// must still be changed; `nil` otherwise.
    static func pending(_ request: HTTPRequest, context: RequestContext) throws -> (user: UserAccount, passwordHash: String)? {
        let services = context.services
        guard let keys = services.oauth.keys, let ticket = ChoosePasswordTicket.parse(request.cookies[cookie], now: context.now),
            let account = try services.people.accounts.activeUser(ticket.user), let hash = account.passwordHash,
            ChoosePasswordTicket.isValid(ticket, passwordHash: hash, key: keys.choosePasswordKey),
            try services.people.resets.mustChangePassword(ticket.user)
        else { return nil }
        return (account.user, hash)
    }
}
