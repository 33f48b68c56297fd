import Domain
import Foundation

/// Creating and mailing single-use password links (reset, or first password of a new account).
enum PasswordLinks {
    /// Stores a new link for `user` and mails it to `email`; returns the link (the CLI prints it for operators
    /// whose host cannot send mail). Only the token's digest is stored. With `queueOnly` the mail waits in the
    /// outbox for the mail run (``MailTransport/queue(to:subject:body:validUntil:)``), as a roster import's do.
    /// The mail is in the person's language (``MailLanguage``), `language` being the request's.
    @discardableResult
    static func send(
        to user: UserID, email: String, name: String, purpose: PasswordLinkPurpose, services: SiteServices, now: Date,
        queueOnly: Bool = false, language: String? = MailLanguage.ofRequest
    ) throws -> String {
        let configuration = services.configuration
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.passwordLink, using: &generator)
        let lifetime = purpose == .reset ? configuration.signIn.resetLinkLifetime : configuration.signIn.setPasswordLinkLifetime
        try services.people.passwordLinks.createPasswordLink(
            digest: SecretToken.digest(token), user: user, purpose: purpose, now: now, expiresAt: now.addingTimeInterval(lifetime))
        let link = configuration.appURL + "/password/reset?token=" + token
        let language = MailLanguage.of(user: user, languages: services.people.languages, fallback: language)
        let (subject, body) = message(purpose: purpose, name: name, link: link, lifetime: lifetime, language: language)
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
            // New accounts of one import: no saved language yet, so their school's default (else English).
            let language = slice.first.map { MailLanguage.of(user: $0.userID, languages: services.people.languages, fallback: nil) }
            var links: [(digest: [UInt8], user: UserID)] = []
            var mails: [(recipient: String, subject: String, body: String)] = []
            for invitation in slice where !holding.contains(invitation.userID) {
                let token = SecretToken.make(prefix: TokenPrefix.passwordLink, using: &generator)
                links.append((SecretToken.digest(token), invitation.userID))
                let (subject, body) = message(
                    purpose: .set, name: invitation.displayName, link: configuration.appURL + "/password/reset?token=" + token, lifetime: lifetime,
                    language: language)
                mails.append((invitation.email, subject, body))
            }
            guard !links.isEmpty else { continue }
            try services.people.passwordLinks.createPasswordLinks(links, purpose: .set, now: now, expiresAt: now.addingTimeInterval(lifetime))
            try services.mailer.queue(mails, validUntil: now.addingTimeInterval(lifetime))
            queued += links.count
        }
        return queued
    }

    /// The subject and text of the mail, in `language`.
    static func message(
        purpose: PasswordLinkPurpose, name: String, link: String, lifetime: TimeInterval, language: String?
    ) -> (String, String) {
        MailLanguage.rendering(in: language) {
            let arguments: KeyValuePairs<String, String> = ["name": name, "validity": MailText.validity(lifetime), "link": link]
            return switch purpose {
            case .reset: (L("mail.password.reset.subject"), L("mail.password.reset.body", arguments))
            case .set: (L("mail.password.set.subject"), L("mail.password.set.body", arguments))
            }
        }
    }
}
