import Domain
import Foundation

/// Creating and mailing single-use password links (reset, or first password of a new account).
enum PasswordLinks {
    /// Stores a new link for `user` and mails it to `email`; returns the link (the CLI prints it for operators
    /// whose host cannot send mail). Only the token's digest is stored. With `queueOnly` the mail waits in the
    /// outbox for the mail run (``MailTransport/queue(to:subject:body:validUntil:)``), as a roster import's do.
    @discardableResult
    static func send(
        to user: UserID, email: String, name: String, purpose: PasswordLinkPurpose, services: SiteServices, now: Date,
        queueOnly: Bool = false
    ) throws -> String {
        let configuration = services.configuration
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.passwordLink, using: &generator)
        let lifetime = purpose == .reset ? configuration.signIn.resetLinkLifetime : configuration.signIn.setPasswordLinkLifetime
        try services.people.passwordLinks.createPasswordLink(
            digest: SecretToken.digest(token), user: user, purpose: purpose, now: now, expiresAt: now.addingTimeInterval(lifetime))
        let link = configuration.appURL + "/password/reset?token=" + token
        let (subject, body) = message(purpose: purpose, name: name, link: link, lifetime: lifetime)
        if queueOnly {
            try services.mailer.queue(to: email, subject: subject, body: body, validUntil: now.addingTimeInterval(lifetime))
        } else {
            try services.mailer.send(to: email, subject: subject, body: body, validUntil: now.addingTimeInterval(lifetime))
        }
        return link
    }

    /// Set-password links for many new accounts at once (a roster import), queued for the mail run: in batches,
    /// each a few statements (who already has a link, the new links, the mails) rather than a few per person.
    /// Returns how many were queued; people who already hold a valid link are skipped.
    static func queueSetPasswordLinks(_ invitations: [PasswordInvitation], services: SiteServices, now: Date, batch: Int = 1000) throws -> Int {
        let configuration = services.configuration
        let lifetime = configuration.signIn.setPasswordLinkLifetime
        var generator = SystemRandomNumberGenerator()
        var queued = 0
        var start = 0
        while start < invitations.count {
            let slice = invitations[start..<min(start + batch, invitations.count)]
            start += batch
            let holding = try services.people.passwordLinks.usersWithValidPasswordLink(slice.map(\.userID), purpose: .set, now: now)
            var links: [(digest: [UInt8], user: UserID)] = []
            var mails: [(recipient: String, subject: String, body: String)] = []
            for invitation in slice where !holding.contains(invitation.userID) {
                let token = SecretToken.make(prefix: TokenPrefix.passwordLink, using: &generator)
                links.append((SecretToken.digest(token), invitation.userID))
                let (subject, body) = message(
                    purpose: .set, name: invitation.displayName, link: configuration.appURL + "/password/reset?token=" + token, lifetime: lifetime)
                mails.append((invitation.email, subject, body))
            }
            guard !links.isEmpty else { continue }
            try services.people.passwordLinks.createPasswordLinks(links, purpose: .set, now: now, expiresAt: now.addingTimeInterval(lifetime))
            try services.mailer.queue(mails, validUntil: now.addingTimeInterval(lifetime))
            queued += links.count
        }
        return queued
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
