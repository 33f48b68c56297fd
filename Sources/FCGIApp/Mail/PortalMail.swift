import Domain
import Foundation

/// The developer portal's mail: verification and reset links (stored by digest, mailed once) and notices, each in
/// `language` (the language of the request that caused it: a developer has no saved language; ``MailLanguage``).
enum PortalMail {
    /// Stores a new single-use link for `developer` and mails it; returns the link.
    @discardableResult
    static func sendLink(
        _ purpose: DeveloperLinkPurpose, to developer: DeveloperAccount, services: SiteServices, now: Date, language: String?
    ) throws -> String {
        let configuration = services.configuration
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.developerLink, using: &generator)
        let lifetime = purpose == .verifyEmail ? configuration.portal.verifyLinkLifetime : configuration.signIn.resetLinkLifetime
        try services.portal.links.createLink(
            digest: SecretToken.digest(token), developer: developer.id, purpose: purpose, now: now,
            expiresAt: now.addingTimeInterval(lifetime))
        let base = configuration.developersURL.hasSuffix("/") ? String(configuration.developersURL.dropLast()) : configuration.developersURL
        let link = base + (purpose == .verifyEmail ? "/verify?token=" : "/password/reset?token=") + token
        let (subject, text) = linkMessage(purpose, name: developer.name, link: link, lifetime: lifetime, language: language)
        try services.mailer.send(to: developer.email, subject: subject, body: text, validUntil: now.addingTimeInterval(lifetime))
        return link
    }

    /// The subject and text of a verification or reset mail, in `language`.
    static func linkMessage(
        _ purpose: DeveloperLinkPurpose, name: String, link: String, lifetime: TimeInterval, language: String?
    ) -> (subject: String, text: String) {
        MailLanguage.rendering(in: language) {
            let arguments: KeyValuePairs<String, String> = ["name": name, "validity": MailText.validity(lifetime), "link": link]
            return switch purpose {
            case .verifyEmail: (L("mail.portal.verify.subject"), L("mail.portal.verify.body", arguments))
            case .resetPassword: (L("mail.portal.reset.subject"), L("mail.portal.reset.body", arguments))
            }
        }
    }

    /// Tells the owner of an address that someone tried to sign up with it, instead of telling the person
    /// signing up that the address is taken (which would reveal who has an account).
    static func sendAlreadyRegistered(to developer: DeveloperAccount, services: SiteServices, language: String?) throws {
        let base = services.configuration.developersURL
        let (subject, body) = MailLanguage.rendering(in: language) {
            (
                L("mail.portal.registered.subject"),
                L("mail.portal.registered.body", ["name": developer.name, "login": base + "/login", "forgot": base + "/password/forgot"])
            )
        }
        try services.mailer.send(to: developer.email, subject: subject, body: body)
    }

    /// Mails an invitation to an organisation: the link carries the token, stored only as a digest.
    static func sendInvitation(
        token: String, to email: String, organisation: String, role: OrganisationRole, inviter: String, expiresAt: Date,
        services: SiteServices, language: String?
    ) throws {
        let configuration = services.configuration
        let base = configuration.developersURL.hasSuffix("/") ? String(configuration.developersURL.dropLast()) : configuration.developersURL
        let (subject, body) = MailLanguage.rendering(in: language) {
            (
                L("mail.portal.invitation.subject", ["inviter": inviter, "organisation": organisation]),
                L(
                    "mail.portal.invitation.body",
                    [
                        "inviter": inviter, "organisation": organisation, "role": MailText.organisationRole(role),
                        "link": "\(base)/invitations/\(token)",
                    ])
            )
        }
        try services.mailer.send(to: email, subject: subject, body: body, validUntil: expiresAt)
    }
}
