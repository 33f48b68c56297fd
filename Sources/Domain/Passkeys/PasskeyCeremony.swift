import Crypto
import Foundation

/// What a browser carries between asking for passkey options and sending the authenticator's answer: which
/// ceremony, for which account, the challenge, and when it began (WebAuthn §13.4.3: a challenge is random,
/// at least 16 bytes, and checked against the one kept for this ceremony).
///
/// It lives in a cookie sealed with AES-256-GCM, like ``UpstreamSignInTicket``, so it cannot be forged or edited,
/// and only the browser that received the options holds it. It counts for ``lifetime``. The cookie is cleared
/// at the first answer; to make a challenge usable once even if the cookie were replayed within its lifetime,
/// the caller records ``replayKey`` until ``expiresAt`` and refuses a second use.
public struct PasskeyCeremony: Sendable, Equatable {
    /// Which ceremony the challenge was issued for; a challenge of one is refused by the other.
    public enum Purpose: String, Sendable {
        case registration = "r"
        case signIn = "s"
    }

    /// How long a ceremony may take: the options' `timeout` should not exceed it.
    public static let lifetime: TimeInterval = 300
    /// Length of a challenge, in bytes.
    public static let challengeLength = 32

    public let purpose: Purpose
    /// The account adding a passkey, or the one named before a sign-in; `nil` for a sign-in without a username
    /// (a discoverable credential names its account through its user handle).
    public let account: PasskeyAccount?
    /// The random challenge (``challengeLength`` bytes).
    public let challenge: [UInt8]
    public let startedAt: Date

    public init(purpose: Purpose, account: PasskeyAccount?, challenge: [UInt8], startedAt: Date) {
        self.purpose = purpose
        self.account = account
        self.challenge = challenge
        self.startedAt = startedAt
    }

    /// A registration for `account` with a fresh challenge.
    public static func startRegistration(for account: PasskeyAccount, now: Date, using generator: inout some RandomNumberGenerator) -> Self {
        Self(purpose: .registration, account: account, challenge: randomChallenge(using: &generator), startedAt: now)
    }

    /// A sign-in, for a named `account` or (`nil`) for whoever's passkey answers, with a fresh challenge.
    public static func startSignIn(for account: PasskeyAccount?, now: Date, using generator: inout some RandomNumberGenerator) -> Self {
        Self(purpose: .signIn, account: account, challenge: randomChallenge(using: &generator), startedAt: now)
    }

    /// 32 random bytes; the random source is a parameter so tests can fix it.
    public static func randomChallenge(using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<challengeLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The challenge as the options' `challenge` member (base64url, no padding).
    public var challengeBase64URL: String { SecretToken.base64URL(challenge) }

    /// When the ceremony stops being accepted.
    public var expiresAt: Date { startedAt.addingTimeInterval(Self.lifetime) }

    /// SHA-256 of the challenge: what a store of used challenges keeps (never the challenge itself).
    public var replayKey: [UInt8] { Array(SHA256.hash(data: challenge)) }

    /// The cookie value: base64url of the sealed JSON.
    public func sealed(key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws -> String {
        let owner: JSONValue =
            switch account {
            case nil: .null
            case .user(let id): .string("u\(id.rawValue)")
            case .developer(let id): .string("d\(id.rawValue)")
            }
        let document: JSONValue = [
            "p": .string(purpose.rawValue), "a": owner, "c": .string(challengeBase64URL), "t": .int(Int(startedAt.timeIntervalSince1970)),
        ]
        return SecretToken.base64URL(try KeySealing.seal(document.serialized(), key: key, associatedData: Self.associatedData, using: &generator))
    }

    /// The ceremony in a cookie value, if it opens under `key`, is well-formed and is younger than ``lifetime``.
    public static func open(_ cookie: String?, key: SymmetricKey, now: Date) -> Self? {
        guard let cookie, cookie.utf8.count <= 1024, let sealed = Base64URL.decode(cookie),
            let plain = try? KeySealing.open(sealed, key: key, associatedData: associatedData),
            let document = try? JSONParser.parse(plain),
            let purpose = document[member: "p"]?.stringValue.flatMap(Purpose.init(rawValue:)),
            let challenge = document[member: "c"]?.stringValue.flatMap(Base64URL.decode), challenge.count == challengeLength,
            let seconds = document[member: "t"]?.intValue
        else { return nil }
        let account: PasskeyAccount?
        switch document[member: "a"] {
        case .null?: account = nil
        case .string(let text)?:
            let number = String(text.dropFirst())
            switch text.first {
            case "u": guard let id = UserID(number) else { return nil }; account = .user(id)
            case "d": guard let id = DeveloperID(number) else { return nil }; account = .developer(id)
            default: return nil
            }
        default: return nil
        }
        // A registration always names the account it adds a passkey to.
        if purpose == .registration, account == nil { return nil }
        let started = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now >= started.addingTimeInterval(-60), now.timeIntervalSince(started) <= lifetime else { return nil }
        return Self(purpose: purpose, account: account, challenge: challenge, startedAt: started)
    }

    private static let associatedData = Array("catalystwells passkey ceremony v1".utf8)
}
