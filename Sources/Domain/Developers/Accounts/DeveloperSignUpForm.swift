import Foundation

/// The developer portal's sign-up form: name, email, password twice, optional company, and the
/// terms checkbox. ``validate()`` trims, checks lengths and shapes, and returns every problem by field.
public struct DeveloperSignUpForm: Sendable, Equatable {
    /// Longest name and company, in characters.
    public static let maximumNameLength = 100
    /// Longest email, in bytes (RFC 5321 §4.5.3.1.3 path limit).
    public static let maximumEmailBytes = 254

    public var name: String
    public var email: String
    public var company: String
    public var password: String
    public var confirmation: String
    /// Whether the terms box was ticked.
    public var acceptedTerms: Bool

    /// A form as posted.
    public init(name: String, email: String, company: String, password: String, confirmation: String, acceptedTerms: Bool) {
        self.name = name
        self.email = email
        self.company = company
        self.password = password
        self.confirmation = confirmation
        self.acceptedTerms = acceptedTerms
    }

    /// The sign-up to store (the password still in the clear, for the caller to hash), or the problems keyed
    /// by field: `name`, `email`, `company`, `password`, `terms`.
    public func validate() -> Result<(name: String, email: String, company: String?), SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        let name = Self.oneLine(self.name)
        let email = self.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let company = Self.oneLine(self.company)
        if name.isEmpty {
            errors["name"] = Message("portal.error.name", "Enter your name.")
        } else if name.unicodeScalars.count > Self.maximumNameLength || Self.hasControl(name) {
            errors["name"] = .atMostCharactersOnOneLine(Self.maximumNameLength)
        }
        if !Self.isPlausibleEmail(email) {
            errors["email"] = .emailAddress
        }
        if company.unicodeScalars.count > Self.maximumNameLength || Self.hasControl(company) {
            errors["company"] = .atMostCharactersOnOneLine(Self.maximumNameLength)
        }
        if let problem = PasswordRules.problem(with: password, confirmation: confirmation, identifiers: [email]) {
            errors["password"] = problem
        }
        if !acceptedTerms { errors["terms"] = Message("portal.error.terms", "Accept the developer terms to create an account.") }
        guard errors.isEmpty else { return .failure(errors) }
        return .success((name, email, company.isEmpty ? nil : company))
    }

    /// One `@`, a non-empty local part, a domain with a dot and no spaces or control characters: the mail
    /// itself proves the rest.
    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            email.utf8.count <= maximumEmailBytes
        else { return false }
        return !email.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    static func oneLine(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
