/// What a new password must satisfy (NIST SP 800-63B §5.1.1.2: a minimum length, a generous maximum, no
/// composition rules, and no password equal to the account's own identifiers).
public enum PasswordRules {
    /// Fewest characters accepted.
    public static let minimumLength = 10
    /// Most bytes accepted: enough for any passphrase, small enough to bound hashing work.
    public static let maximumBytes = 1024

    /// The problem, for the form, or `nil` when the password is acceptable.
    public static func problem(with password: String, confirmation: String, identifiers: [String]) -> Message? {
        if password.count < minimumLength { return .atLeastCharacters(minimumLength) }
        if password.utf8.count > maximumBytes { return .atMostBytes(maximumBytes) }
        if password != confirmation { return Message("portal.error.mismatch", "The two passwords do not match.") }
        let lowered = password.lowercased()
        if identifiers.contains(where: { !$0.isEmpty && $0.lowercased() == lowered }) {
            return Message("portal.error.password_is_name", "Do not use your email address or username as your password.")
        }
        return nil
    }
}
