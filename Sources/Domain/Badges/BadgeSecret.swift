import Crypto
import Foundation

/// A QR badge's secret (issue 16, item 3): 256 random bits, written as 43 base64url characters, printed on a
/// student's sign-in card inside the link `<app URL>/login/badge#<secret>`. The secret rides in the URL fragment,
/// which browsers never send to a server, so it reaches no access log and no `Referer`; the page's script posts it.
///
/// Only ``digest(_:key:)`` is stored: an HMAC-SHA256 under ``OAuthKeyMaterial/badgeKey``, so a database dump alone
/// cannot even test a guessed secret, and the lookup is by the digest (a unique key), never by comparing secrets.
/// A badge is a bearer credential: whoever holds the card (or a photo of it) signs in as its student. It is
/// therefore one factor only, and a lost card is rotated or revoked at once.
public struct BadgeSecret: Sendable, Equatable, CustomStringConvertible {
    /// The 43-character base64url text.
    public let text: String

    /// Secret-bearing: never printed by accident.
    public var description: String { "<redacted>" }

    /// The bytes of a secret.
    public static let byteCount = 32
    /// Its length as base64url without padding.
    public static let textLength = 43

    /// A new secret from `generator`.
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> BadgeSecret {
        BadgeSecret(text: SecretToken.base64URL((0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    private init(text: String) { self.text = text }

    /// A secret as a browser posts it; `nil` unless it is exactly 43 base64url characters that decode to 32 bytes (a
    /// stray `#` left by the script is removed first).
    public init?(submitted: String) {
        var text = Substring(submitted.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.hasPrefix("#") { text = text.dropFirst() }
        guard text.utf8.count == Self.textLength,
            text.utf8.allSatisfy({
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F
            }),
            Base64URL.decode(text.utf8)?.count == Self.byteCount
        else { return nil }
        self.text = String(text)
    }

    /// The stored form: HMAC-SHA256 of the text under `key`.
    public func digest(key: SymmetricKey) -> [UInt8] { Self.digest(text, key: key) }

    /// The stored form of `text`.
    public static func digest(_ text: String, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("cw badge v1 \(text)".utf8), using: key))
    }

    /// The link printed as the card's QR code: the sign-in page of badges with the secret as its fragment.
    public func link(appURL: String) -> String {
        var base = appURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/login/badge#" + text
    }
}
