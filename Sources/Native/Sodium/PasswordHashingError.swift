/// Why ``Argon2idPasswordHasher`` refused its parameters or a password.
///
/// `description` names no password and no hash, so it may be logged; when ``isPasswordTooLong`` it is also
/// fit to show the user.
public struct PasswordHashingError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Base: Sendable, Equatable {
        case invalidParameters(String)
        case passwordTooLong(maxBytes: Int)
        case libraryUnavailable
        case hashingFailed
    }

    private let base: Base

    private init(_ base: Base) { self.base = base }

    /// The work factor or memory size lies outside what libsodium accepts: a configuration error.
    static func invalidParameters(_ detail: String) -> Self { Self(.invalidParameters(detail)) }
    /// The password's UTF-8 form is longer than ``Argon2idPasswordHasher/maxPasswordBytes``.
    static func passwordTooLong(maxBytes: Int) -> Self { Self(.passwordTooLong(maxBytes: maxBytes)) }
    /// `sodium_init` failed, which happens only when the system cannot supply randomness.
    static let libraryUnavailable = Self(.libraryUnavailable)
    /// libsodium could not hash, in practice because it could not allocate the memory the parameters ask for.
    static let hashingFailed = Self(.hashingFailed)

    /// Whether the error is a password over the length limit, the one case a caller shows to the user.
    public var isPasswordTooLong: Bool {
        if case .passwordTooLong = base { true } else { false }
    }

    /// Whether the error is a parameter outside libsodium's range, found when the hasher is configured.
    public var isInvalidParameters: Bool {
        if case .invalidParameters = base { true } else { false }
    }

    /// A message that names no secret.
    public var description: String {
        switch base {
        case .invalidParameters(let detail): "invalid argon2id parameters: \(detail)"
        case .passwordTooLong(let maxBytes): "the password is too long (at most \(maxBytes) bytes)"
        case .libraryUnavailable: "libsodium could not be initialised (no system randomness)"
        case .hashingFailed: "argon2id hashing failed (out of memory?)"
        }
    }
}
