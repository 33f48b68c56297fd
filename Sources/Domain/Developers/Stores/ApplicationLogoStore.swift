import Crypto
import Foundation

/// Uploaded application logos, content-addressed by the SHA-256 of their bytes.
///
/// A logo is stored only with the application form that brings it, once that form is valid (a refused form
/// stores nothing), and served only while an application refers to it: the app site serves the logos of live
/// apps alone, so no upload makes the app's origin serve an image nobody reviewed. Uploads are limited per
/// developer (``uploadCount(by:since:)``), and those no application refers to any more are removed by
/// ``purgeUnreferencedLogos(uploadedBefore:)`` (`catalystwells purge --site developers`).
public protocol ApplicationLogoStore {
    /// Stores an upload already accepted by ``LogoImage/inspect(_:)``. The same bytes uploaded again (by
    /// anyone) keep one row, whose upload time and uploader are refreshed so the purge spares it. Idempotent.
    func storeLogo(_ logo: ApplicationLogo, uploadedBy developer: DeveloperID, now: Date) throws
    /// How many logos `developer` was the last to upload since `cutoff`.
    func uploadCount(by developer: DeveloperID, since cutoff: Date) throws -> Int
    /// The logo with this lower-case hex digest if an application within `reach` refers to it, for serving with
    /// its content type and `nosniff`; `nil` when there is none (or `sha256` is not 64 hex digits).
    func logo(sha256: String, reach: LogoReach) throws -> ApplicationLogo?
    /// Deletes logos uploaded before the cutoff that no application's content or pending change refers to;
    /// returns how many. A referenced logo is never deleted (the schema's foreign keys forbid it).
    func purgeUnreferencedLogos(uploadedBefore cutoff: Date) throws -> Int
}

/// Which logos a site serves.
public enum LogoReach: Sendable {
    /// Those of approved (live) apps' current content: the app site's public `/logos/`.
    case liveApps
    /// Those any application's content or pending change refers to: the portal's pages, the review panel.
    case anyApplication
}

/// Logos one developer may upload in a day (an app form with a new logo is one upload).
public enum LogoQuota {
    /// Uploads per developer per ``window``.
    public static let uploads = 20
    /// The window, in seconds.
    public static let window: TimeInterval = 86400
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
