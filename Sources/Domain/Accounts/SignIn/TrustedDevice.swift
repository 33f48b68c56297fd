import Crypto
import Foundation

/// A browser's proof that it signed someone in before: the device cookie of OWASP's "slow down online guessing
/// with device cookies", so that sign-in throttling does not lock people out of their own devices.
///
/// After a successful sign-in the browser gets an entry for each name the person signs in with. Later sign-ins
/// that name an entry the browser holds are throttled under that entry (``SignInThrottlePolicy/Scope/device``)
/// instead of under the name and the client address: a classmate typing the name, or guessing from the school's
/// shared address, cannot lock the pupil out of a device they have used; a thief with the device still meets the
/// per-device limit.
///
/// The cookie holds up to ``maximumEntries`` entries, newest first, each `<tag>.<seconds>.<id>.<mac>`: a keyed tag
/// of the name (the cookie does not show which names signed in on the device), when it was issued, a random id
/// (the throttle key) and an HMAC-SHA256 of the three under a server key. An entry counts for ``lifetime``.
public enum TrustedDevice {
    /// How long an entry counts after its sign-in.
    public static let lifetime: TimeInterval = 180 * 86400
    /// Names remembered per browser (a shared family or classroom device).
    public static let maximumEntries = 5

    /// One valid entry.
    public struct Entry: Sendable, Equatable {
        /// The keyed tag of the name.
        public let tag: String
        /// When it was issued.
        public let issuedAt: Date
        /// Its random id: what sign-ins from it are counted under.
        public let id: String
    }

    /// The valid entries of a cookie value at `now`, in its order; anything forged, expired or malformed is dropped.
    public static func entries(_ cookie: String?, now: Date, key: SymmetricKey) -> [Entry] {
        guard let cookie, cookie.utf8.count <= 1024 else { return [] }
        return cookie.split(separator: "~").prefix(maximumEntries).compactMap { text in
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, let seconds = Int64(parts[1]), parts[0].utf8.count == 22, parts[2].utf8.count == 22,
                SecretToken.constantTimeEquals(
                    Array(parts[3].utf8), Array(mac(String(parts[0]), seconds, String(parts[2]), key: key).utf8))
            else { return nil }
            let issued = Date(timeIntervalSince1970: TimeInterval(seconds))
            guard issued <= now.addingTimeInterval(60), now.timeIntervalSince(issued) < lifetime else { return nil }
            return Entry(tag: String(parts[0]), issuedAt: issued, id: String(parts[2]))
        }
    }

    /// The entry for `name` (as typed: it is normalised like the throttle's names), if the cookie holds one.
    public static func entry(for name: String, in entries: [Entry], key: SymmetricKey) -> Entry? {
        let tag = tag(of: name, key: key)
        return entries.first { $0.tag == tag }
    }

    /// The cookie value after a sign-in with `names` at `now`: a fresh entry for each, then the other valid
    /// entries the browser held, newest first, at most ``maximumEntries``.
    public static func cookie(
        signingIn names: [String], keeping entries: [Entry], now: Date, key: SymmetricKey, using generator: inout some RandomNumberGenerator
    ) -> String {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        var tags: [String] = []
        for name in names where !name.isEmpty {
            let tag = tag(of: name, key: key)
            if !tags.contains(tag) { tags.append(tag) }
        }
        let fresh = tags.map { tag in
            let id = SecretToken.base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
            return "\(tag).\(seconds).\(id).\(mac(tag, seconds, id, key: key))"
        }
        let kept = entries.filter { !tags.contains($0.tag) }.map { entry in
            let seconds = Int64(entry.issuedAt.timeIntervalSince1970)
            return "\(entry.tag).\(seconds).\(entry.id).\(mac(entry.tag, seconds, entry.id, key: key))"
        }
        return (fresh + kept).prefix(maximumEntries).joined(separator: "~")
    }

    /// A name's tag: the first 16 bytes of an HMAC of the normalised name, base64url (22 characters).
    static func tag(of name: String, key: SymmetricKey) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("cw device name \(name.lowercased())".utf8), using: key)
        return SecretToken.base64URL(Array(Array(code).prefix(16)))
    }

    private static func mac(_ tag: String, _ seconds: Int64, _ id: String, key: SymmetricKey) -> String {
        SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array("cw device \(tag) \(seconds) \(id)".utf8), using: key)))
    }
}
