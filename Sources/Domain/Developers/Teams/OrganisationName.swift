/// An organisation's name (issue 20 item 6). An organisation is created with its owner's account name, so a new
/// name follows the sign-up form's rule for a name (``DeveloperSignUpForm``): trimmed, not empty, at most
/// ``DeveloperSignUpForm/maximumNameLength`` characters, on one line (no control characters).
public enum OrganisationName {
    /// Why a name is refused.
    public enum Problem: Error, Sendable, Equatable {
        /// Nothing but spaces.
        case empty
        /// More than ``DeveloperSignUpForm/maximumNameLength`` characters.
        case tooLong
        /// A line break or another control character.
        case notOneLine
    }

    /// The name to store, trimmed, or why it is refused.
    public static func validate(_ name: String) -> Result<String, Problem> {
        let trimmed = DeveloperSignUpForm.oneLine(name)
        if trimmed.isEmpty { return .failure(.empty) }
        if DeveloperSignUpForm.hasControl(trimmed) { return .failure(.notOneLine) }
        if trimmed.unicodeScalars.count > DeveloperSignUpForm.maximumNameLength { return .failure(.tooLong) }
        return .success(trimmed)
    }
}
