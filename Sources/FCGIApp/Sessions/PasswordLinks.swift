import Domain
import Foundation

/// Creating and mailing single-use password links (reset, or first password of a new account).
enum PasswordLinks {
    /// Stores a new link for `user` and mails it to `email`; returns the link (the CLI prints it for operators
    /// whose host cannot send mail). Only the token's digest is stored.
    @discardableResult
    static func send(
        to user: UserID, email: String, name: String, purpose: PasswordLinkPurpose, services: SiteServices, now: Date
    ) throws -> String {
        let configuration = services.configuration
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.passwordLink, using: &generator)
        let lifetime = purpose == .reset ? configuration.signIn.resetLinkLifetime : configuration.signIn.setPasswordLinkLifetime
        try services.people.passwordLinks.createPasswordLink(
            digest: SecretToken.digest(token), user: user, purpose: purpose, now: now, expiresAt: now.addingTimeInterval(lifetime))
        let link = configuration.appURL + "/password/reset?token=" + token
        let (subject, body) = message(purpose: purpose, name: name, link: link, lifetime: lifetime)
        try services.mailer.send(to: email, subject: subject, body: body, validUntil: now.addingTimeInterval(lifetime))
        return link
    }

    /// The subject and text of the mail.
    static func message(purpose: PasswordLinkPurpose, name: String, link: String, lifetime: TimeInterval) -> (String, String) {
        let validity = lifetime >= 86400 ? "\(Int(lifetime / 86400)) days" : "\(Int(lifetime / 60)) minutes"
        switch purpose {
        case .reset:
            return (
                "Reset your CatalystWells password",
                """
                Hello \(name),

                Someone, hopefully you, asked to reset the password of your CatalystWells account.
                Open this link within \(validity) to choose a new password. It works once.

                \(link)

                If you did not ask for this, ignore this mail: your password stays as it is.
                """
            )
        case .set:
            return (
                "Your CatalystWells account is ready",
                """
                Hello \(name),

                Your school has created a CatalystWells account for you. Open this link within \(validity)
                to choose your password. It works once.

                \(link)

                Afterwards, sign in at the same site with this email address and your new password.
                """
            )
        }
    }
}
