import Domain
import Foundation

extension Row {
    /// A developer read with ``developerColumns``.
    func developerAccount() -> DeveloperAccount {
        DeveloperAccount(
            id: id("id")!, email: string("email") ?? "", name: string("name") ?? "", company: string("company"),
            // An unknown state can only come from a schema change this code does not know: treat it as the most
            // restrictive one rather than letting the account in.
            state: DeveloperAccount.State(rawValue: string("state") ?? "") ?? .suspended,
            totpEnabled: flag("totp_enabled"), preferredLanguage: string("preferred_language"))
    }
}

/// The select list ``Row/developerAccount()`` reads (plus the password hash), for `developers` aliased `d`.
/// A constant, spliced into statements with `unsafeRaw:`.
let developerColumns =
    "d.id, d.email, d.name, d.company, d.state, d.totp_enabled_at IS NOT NULL AS totp_enabled, d.password_hash, d.preferred_language"
