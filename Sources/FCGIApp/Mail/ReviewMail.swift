import Domain

/// What the review panel mails developers: the words of each decision on an app or an account, in `language`.
///
/// A developer has no saved language and a decision is caused by a staff member's request, not theirs, so the
/// review routes pass `nil` (English); the texts are in the catalogues for when a developer's language is known.
enum ReviewMail {
    /// Subject and text of a decision on the app named `name`.
    static func application(_ notice: ApplicationReview.Notice, name: String, language: String?) -> (subject: String, text: String) {
        MailLanguage.rendering(in: language) {
            switch notice {
            case .approved:
                (L("mail.review.approved.subject", ["app": name]), L("mail.review.approved.body", ["app": name]))
            case .rejected(let reason):
                (L("mail.review.rejected.subject", ["app": name]), L("mail.review.rejected.body", ["app": name, "reason": reason]))
            case .suspended(let reason):
                (L("mail.review.suspended.subject", ["app": name]), L("mail.review.suspended.body", ["app": name, "reason": reason]))
            case .reinstated:
                (L("mail.review.reinstated.subject", ["app": name]), L("mail.review.reinstated.body", ["app": name]))
            case .changeApproved:
                (L("mail.review.change_approved.subject", ["app": name]), L("mail.review.change_approved.body", ["app": name]))
            case .changeRejected(let reason):
                (
                    L("mail.review.change_rejected.subject", ["app": name]),
                    L("mail.review.change_rejected.body", ["app": name, "reason": reason])
                )
            }
        }
    }

    /// The greeting, text and link of a decision mail.
    static func decision(name: String, text: String, link: String, language: String?) -> String {
        MailLanguage.rendering(in: language) { L("mail.hello", ["name": name]) + "\n\n" + text + "\n\n" + link + "\n" }
    }

    /// Subject and text of a decision on a developer account, or `nil` for effects that are not told.
    static func account(
        _ effect: DeveloperAccount.LifecycleEffect, name: String, developersURL: String, language: String?
    ) -> (subject: String, text: String)? {
        MailLanguage.rendering(in: language) {
            switch effect {
            case .notifySuspended(let reason):
                (
                    L("mail.review.account_suspended.subject"),
                    L("mail.hello", ["name": name]) + "\n\n" + L("mail.review.account_suspended.body", ["reason": reason]) + "\n"
                )
            case .notifyReinstated:
                (
                    L("mail.review.account_reinstated.subject"),
                    L("mail.hello", ["name": name]) + "\n\n"
                        + L("mail.review.account_reinstated.body", ["link": developersURL + "/login"]) + "\n"
                )
            case .recordTransition, .endAllSessions:
                nil
            }
        }
    }

    /// Subject and text of a staff answer to a support ticket.
    static func ticketReply(
        developerName: String, subject: String, body: String, link: String, language: String?
    ) -> (subject: String, text: String) {
        MailLanguage.rendering(in: language) {
            (
                L("mail.ticket_reply.subject", ["subject": subject]),
                L("mail.ticket_reply.body", ["name": developerName, "subject": subject, "body": body, "link": link])
            )
        }
    }
}
