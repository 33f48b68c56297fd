import Crypto
import Foundation

/// The cookie that carries a person from a password sign-in with a temporary password to the step where they
/// choose their own (issue 16, item 1). No session exists until that step is done, so no page, app or API can be
/// reached with the temporary password alone.
///
/// The value is `<user id>.<issued, Unix seconds>.<mac>`, the MAC an HMAC-SHA256 under a key of its own over the
/// id, the time and the SHA-256 of the password hash the sign-in matched. The ticket is thus good for
/// ``lifetime`` and only while that hash is stored: once the person has chosen a password, or someone reset it
/// again, the same cookie is worthless (single use without a server-side record).
public enum ChoosePasswordTicket {
    /// How long the step may take.
    public static let lifetime: TimeInterval = 15 * 60

    /// A ticket after parsing, before its MAC is checked against the stored hash.
    public struct Parsed: Sendable, Equatable {
        public let user: UserID
        let issued: Int64
        let mac: String
    }

    /// A ticket for `user`, whose sign-in matched `passwordHash`.
    public static func make(user: UserID, passwordHash: String, now: Date, key: SymmetricKey) -> String {
        let issued = Int64(now.timeIntervalSince1970.rounded(.down))
        return "\(user.rawValue).\(issued).\(mac(user: user, issued: issued, passwordHash: passwordHash, key: key))"
    }

    /// The person a well-formed ticket names, if it is not expired at `now`; ``isValid(_:passwordHash:key:)``
    /// then decides with the stored hash.
    public static func parse(_ value: String?, now: Date) -> Parsed? {
        guard let value, value.utf8.count <= 120 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let user = UserID(String(parts[0])), let issued = Int64(parts[1]), parts[2].utf8.count == 43 else { return nil }
        let age = now.timeIntervalSince1970 - Double(issued)
        guard age >= -60, age < lifetime else { return nil }
        return Parsed(user: user, issued: issued, mac: String(parts[2]))
    }

    /// Whether the ticket was made for this person's `passwordHash` under `key` (compared in constant time).
    public static func isValid(_ ticket: Parsed, passwordHash: String, key: SymmetricKey) -> Bool {
        SecretToken.constantTimeEquals(
            Array(ticket.mac.utf8), Array(mac(user: ticket.user, issued: ticket.issued, passwordHash: passwordHash, key: key).utf8))
    }

    private static func mac(user: UserID, issued: Int64, passwordHash: String, key: SymmetricKey) -> String {
        let hashDigest = SHA256.hash(data: Array(passwordHash.utf8)).map { String(format: "%02x", $0) }.joined()
        let message = Array("\(user.rawValue)\u{0}\(issued)\u{0}\(hashDigest)".utf8)
        return SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }
}
