import Domain
import Foundation

/// The portal's form errors in the page's language. The rules that find them (`Domain`) write English; the ones
/// the portal's forms show are looked up here by their English text (numbers taken out as `{count}`), and any
/// other message is shown as it is.
enum PortalErrors {
    static func localised(_ errors: SchoolworkForms.FieldErrors) -> SchoolworkForms.FieldErrors {
        var out = errors
        for (field, message) in errors.messages { out[field] = text(message) }
        return out
    }

    static func text(_ message: String?) -> String? { message.map(text) }

    static func text(_ message: String) -> String {
        guard pageLanguage != Translations.source else { return message }
        var number = 0
        var template = message
        if let range = message.range(of: #"\d+"#, options: .regularExpression) {
            number = Int(message[range]) ?? 0
            template.replaceSubrange(range, with: "{n}")
        }
        switch template {
        case "Enter your name.": return L("portal.error.name")
        case "Use at most {n} characters on one line.": return L("portal.error.max_line", count: number)
        case "Use at most {n} characters.": return L("portal.error.max", count: number)
        case "Enter an email address such as ana@example.com.": return L("portal.msg.team.email")
        case "Accept the developer terms to create an account.": return L("portal.error.terms")
        case "Use at least {n} characters.": return L("portal.error.min", count: number)
        case "Use at most {n} bytes.": return L("portal.error.max_bytes", count: number)
        case "The two passwords do not match.": return L("portal.error.mismatch")
        case "Do not use your email address or username as your password.": return L("portal.error.password_is_name")
        case "Give the ticket a subject.": return L("portal.error.subject")
        case "Use a subject on one line, without control characters.": return L("portal.error.subject_line")
        case "Choose what the ticket is about.": return L("portal.error.category")
        case "Choose one of your apps, or none.": return L("portal.msg.choose_app")
        case "Write a message.": return L("portal.error.message")
        case "Remove the control characters from the message.": return L("portal.error.control")
        default: return message
        }
    }
}
