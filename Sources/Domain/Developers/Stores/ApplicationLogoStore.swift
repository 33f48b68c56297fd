import Crypto
import Foundation

/// Uploaded application logos, content-addressed by the SHA-256 of their bytes.
///
/// A logo is public by nature: the consent page and the portal show it to anyone. It is readable by its
/// digest as soon as it is stored, so the form can preview an upload before the draft referring to it is
/// saved; a digest cannot be guessed without the bytes. Uploads no application refers to are removed by
/// ``purgeUnreferencedLogos(uploadedBefore:)`` so the store is no free image host.
public protocol ApplicationLogoStore {
    /// Stores an upload already accepted by ``LogoImage/inspect(_:)``. The same bytes uploaded again (by
    /// anyone) keep one row, whose upload time is refreshed so the purge spares it. Idempotent.
    func storeLogo(_ logo: ApplicationLogo, now: Date) throws
    /// The logo with this lower-case hex digest, for serving with its content type and `nosniff`; `nil`
    /// when there is none (or `sha256` is not 64 hex digits).
    func logo(sha256: String) throws -> ApplicationLogo?
    /// Deletes logos uploaded before the cutoff that no application's content or pending change refers to;
    /// returns how many. A referenced logo is never deleted (the schema's foreign keys forbid it).
    func purgeUnreferencedLogos(uploadedBefore cutoff: Date) throws -> Int
}

/// A logo's bytes with what ``LogoImage/inspect(_:)`` found and the digest that names it.
public struct ApplicationLogo: Sendable, Equatable, CustomStringConvertible {
    /// The lower-case hex SHA-256 of ``bytes``: the name the draft's `logoSHA256` refers to.
    public let sha256: String
    /// Format and size in pixels.
    public let image: LogoImage
    /// The file as uploaded.
    public let bytes: [UInt8]

    /// A logo from inspected bytes; the digest is computed here, so it always matches the bytes.
    public init(bytes: [UInt8], image: LogoImage) {
        self.sha256 = SHA256.hash(data: bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        self.image = image
        self.bytes = bytes
    }

    /// A short text without the bytes, for logs.
    public var description: String {
        "ApplicationLogo(\(sha256), \(image.format.rawValue) \(image.width)×\(image.height), \(bytes.count) bytes)"
    }
}
