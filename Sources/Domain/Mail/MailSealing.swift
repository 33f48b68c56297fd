import Crypto
import Foundation

/// Mail bodies at rest in the outbox (``MailOutboxStore``): AES-256-GCM under a key derived from the credential
/// key file, with the recipient and subject as associated data.
///
/// A queued mail may carry a bearer secret (a password or verification link). Sealing means a dump or backup of
/// the outbox holds no working link; binding recipient and subject means a sealed body moved onto another
/// row does not open.
public enum MailSealing {
    /// Seals a body. The nonce comes from `generator` (`SystemRandomNumberGenerator` in production).
    public static func seal(
        _ body: String, recipient: String, subject: String, key: SymmetricKey, using generator: inout some RandomNumberGenerator
    ) throws -> [UInt8] {
        try KeySealing.seal(Array(body.utf8), key: key, associatedData: associatedData(recipient, subject), using: &generator)
    }

    /// Opens a sealed body; throws when the key, the recipient, the subject or any byte differs.
    public static func open(_ sealed: [UInt8], recipient: String, subject: String, key: SymmetricKey) throws -> String {
        String(decoding: try KeySealing.open(sealed, key: key, associatedData: associatedData(recipient, subject)), as: UTF8.self)
    }

    private static func associatedData(_ recipient: String, _ subject: String) -> [UInt8] {
        Array("mail:\(recipient)\n\(subject)".utf8)
    }
}

/// When a mail whose delivery failed is tried again: `base` seconds after the first failure, doubling after each
/// further one, at most an hour apart. With the default base of 60 s a mail is tried about 28 times in a day.
public enum MailRetry {
    /// The longest wait between two attempts, in seconds.
    public static let longestDelay: Double = 3600

    /// The wait after the `attempts`-th failed attempt (1 for the first), in seconds.
    public static func delay(afterAttempts attempts: Int, base: Double) -> Double {
        let doublings = Double(max(0, min(attempts - 1, 20)))
        return min(longestDelay, base * pow(2, doublings))
    }
}
