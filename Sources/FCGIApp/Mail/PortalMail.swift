import Domain
import Foundation

/// The developer portal's mail: verification and reset links (stored by digest, mailed once) and notices.
enum PortalMail {
    /// Stores a new single-use link for `developer` and mails it; returns the link.
    @discardableResult
    static func sendLink(
        _ purpose: DeveloperLinkPurpose, to developer: DeveloperAccount, services: SiteServices, now: Date
    ) throws -> String {
        let configuration = services.configuration
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.developerLink, using: &generator)
        let lifetime = purpose == .verifyEmail ? configuration.portal.verifyLinkLifetime : configuration.signIn.resetLinkLifetime
        try services.portal.links.createLink(
            digest: SecretToken.digest(token), developer: developer.id, purpose: purpose, now: now,
            expiresAt: now.addingTimeInterval(lifetime))
        let base = configuration.developersURL.hasSuffix("/") ? String(configuration.developersURL.dropLast()) : configuration.developersURL
        let validity = lifetime >= 7200 ? "\(Int(lifetime / 3600)) hours" : "\(Int(lifetime / 60)) minutes"
        let link: String
        let subject: String
        let text: String
        switch purpose {
        case .verifyEmail:
            link = base + "/verify?token=" + token
            subject = "Confirm your CatalystWells developer account"
            text = """
                Hello \(developer.name),

                Confirm the address of your CatalystWells developer account by opening this link within \(validity).
                It works once.

                \(link)

                If you did not create an account, ignore this mail and nothing will happen.
                """
        case .resetPassword:
            link = base + "/password/reset?token=" + token
            subject = "Reset your CatalystWells developer password"
            text = """
                Hello \(developer.name),

                Someone, hopefully you, asked to reset the password of your CatalystWells developer account.
                Open this link within \(validity) to choose a new password. It works once.

                \(link)

                If you did not ask for this, ignore this mail: your password stays as it is.
                """
        }
        try services.mailer.send(to: developer.email, subject: subject, body: text, validUntil: now.addingTimeInterval(lifetime))
        return link
    }

    /// Tells the owner of an address that someone tried to sign up with it, instead of telling the person
    /// signing up that the address is taken (which would reveal who has an account).
    static func sendAlreadyRegistered(to developer: DeveloperAccount, services: SiteServices) throws {
        let base = services.configuration.developersURL
        try services.mailer.send(
            to: developer.email, subject: "Your CatalystWells developer account",
            body: """
                Hello \(developer.name),

                Someone tried to create a CatalystWells developer account with this address, which already has one.
                If it was you, sign in at \(base)/login, or choose a new password at \(base)/password/forgot.

                If it was not you, you can ignore this mail: nothing has changed.
                """)
    }

    /// Mails an invitation to an organisation: the link carries the token, stored only as a digest.
    static func sendInvitation(
        token: String, to email: String, organisation: String, role: OrganisationRole, inviter: String, expiresAt: Date,
        services: SiteServices
    ) throws {
        let configuration = services.configuration
        let base = configuration.developersURL.hasSuffix("/") ? String(configuration.developersURL.dropLast()) : configuration.developersURL
        try services.mailer.send(
            to: email, subject: "\(inviter) invites you to \(organisation) on CatalystWells",
            body: """
                Hello,

                \(inviter) invites you to join the developer organisation \(organisation) on CatalystWells as \(role.label.lowercased()).
                Open this link within a week, sign in (or create a developer account with this address) and accept.
                It works once.

                \(base)/invitations/\(token)

                If you did not expect this, ignore this mail and nothing will happen.
                """, validUntil: expiresAt)
    }
}
