import Domain

/// What the review panel mails developers: the words of each decision on an app or an account.
enum ReviewMail {
    /// Subject and text of a decision on the app named `name`.
    static func application(_ notice: ApplicationReview.Notice, name: String) -> (subject: String, text: String) {
        switch notice {
        case .approved:
            ("\(name) is approved", "Your app \(name) is approved. Its credentials are on its page; it can sign users in within a minute.")
        case .rejected(let reason):
            ("\(name) was not approved", "Your app \(name) was not approved:\n\n\(reason)\n\nEdit it and submit it again.")
        case .suspended(let reason):
            ("\(name) is suspended", "Your app \(name) is suspended; its tokens no longer work:\n\n\(reason)")
        case .reinstated:
            ("\(name) is reinstated", "Your app \(name) is reinstated and works again.")
        case .changeApproved:
            ("Your change to \(name) is live", "The change you submitted for \(name) is approved and live.")
        case .changeRejected(let reason):
            (
                "Your change to \(name) was not approved",
                "The change you submitted for \(name) was not approved:\n\n\(reason)\n\nThe live version is unchanged."
            )
        }
    }

    /// The text of a decision on a developer account, or `nil` for effects that are not told.
    static func account(_ effect: DeveloperAccount.LifecycleEffect, developersURL: String) -> String? {
        switch effect {
        case .notifySuspended(let reason):
            "Your CatalystWells developer account is suspended, so you cannot sign in to the developer portal:\n\n\(reason)\n\nAnswer this email or contact the platform's staff if you think this is a mistake."
        case .notifyReinstated:
            "Your CatalystWells developer account is reinstated; you can sign in again at \(developersURL)/login"
        case .recordTransition, .endAllSessions:
            nil
        }
    }

    /// A staff answer to a support ticket.
    static func ticketReply(developerName: String, subject: String, body: String, link: String) -> String {
        """
        Hello \(developerName),

        CatalystWells support answered your ticket "\(subject)":

        \(body)

        Reply at \(link)
        """
    }
}
