import Foundation

/// How a person proved who they are, as OpenID Connect names it in `amr` (RFC 8176 §2).
public struct AuthenticationMethod: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A password checked by us.
    public static let password = AuthenticationMethod(rawValue: "pwd")
    /// A password checked by the school's LDAP directory or Active Directory (issue 15): still "pwd" to an app (RFC 8176
    /// §2 names what was proved, a password, not who checked it), so it equals ``password``; the audit's detail and the
    /// log name the directory.
    public static let directoryPassword = AuthenticationMethod(rawValue: "pwd")
    /// An upstream identity provider (OpenID Connect, SAML) vouched for the person.
    public static let federated = AuthenticationMethod(rawValue: "fed")
    /// A one-time code (TOTP).
    public static let oneTimePassword = AuthenticationMethod(rawValue: "otp")
    /// A hardware-bound key (a device-bound passkey).
    public static let hardwareKey = AuthenticationMethod(rawValue: "hwk")
    /// A software-secured key (a passkey synced between devices).
    public static let softwareKey = AuthenticationMethod(rawValue: "swk")
    /// A QR badge (a printed card whose code holds a bearer secret): RFC 8176's "sc" (smart card), the registered
    /// value for "a card the person holds and presents". Unlike a real smart card the badge proves no key
    /// possession (a photo of it is a copy), so it is never a second factor and never counts as `mfa`.
    public static let badge = AuthenticationMethod(rawValue: "sc")
}

/// The end of every sign-in method: a person of the roster who has proved who they are, and how. Each method
/// (the password form today; upstream providers, directories, passkeys and badges next) produces one, and the
/// site's one completion step turns it into a session (`Sources/FCGIApp/Sessions/SignInCompletion.swift`),
/// with the same throttling, session rotation, cookie and audit line for all of them.
public struct AuthenticatedPerson: Sendable, Equatable {
    /// The active account.
    public let user: UserAccount
    /// The methods used, in order (`amr`).
    public let methods: [AuthenticationMethod]
    /// The names the person typed or is known by to the throttle, whose failures their success clears.
    public let throttleNames: Set<String>
    /// Whether one method proved two factors (a passkey with user verification: possession and PIN or biometrics),
    /// so no second factor is asked for.
    public let multiFactor: Bool

    /// A person signed in by `methods`.
    public init(user: UserAccount, methods: [AuthenticationMethod], throttleNames: Set<String> = [], multiFactor: Bool = false) {
        self.user = user
        self.methods = methods
        self.throttleNames = throttleNames
        self.multiFactor = multiFactor
    }
}
