import Domain
import Foundation

/// Words several mails share, in the language bound by ``MailLanguage/rendering(in:translations:_:)``.
enum MailText {
    /// How long a link stays valid: days from a day up, hours from two hours up, else minutes.
    static func validity(_ lifetime: TimeInterval) -> String {
        if lifetime >= 86400 { return L("mail.validity.days", count: Int(lifetime / 86400)) }
        if lifetime >= 7200 { return L("mail.validity.hours", count: Int(lifetime / 3600)) }
        return L("mail.validity.minutes", count: Int(lifetime / 60))
    }

    /// A role in a developer organisation, as a mail names it.
    static func organisationRole(_ role: OrganisationRole) -> String {
        switch role {
        case .viewer: L("mail.organisation_role.viewer")
        case .developer: L("mail.organisation_role.developer")
        case .admin: L("mail.organisation_role.admin")
        case .owner: L("mail.organisation_role.owner")
        }
    }
}
