/// Bounds on what ``ZipArchive`` accepts, so an upload cannot make the server unpack without end.
public struct ZipLimits: Sendable, Hashable {
    /// The most entries (files, folders and skipped macOS metadata together) the central directory may list.
    public var maxEntries: Int
    /// The most bytes the extracted files may add up to, checked against the sizes the zip declares and again
    /// while inflating, since a zip bomb's declared sizes can lie.
    public var maxTotalBytes: Int

    /// Creates limits; the defaults suit roster uploads of at most 25 MB.
    public init(maxEntries: Int = 1000, maxTotalBytes: Int = 100_000_000) {
        precondition(maxEntries >= 0 && maxTotalBytes >= 0, "zip limits cannot be negative")
        self.maxEntries = maxEntries
        self.maxTotalBytes = maxTotalBytes
    }

    /// 1000 entries and 100 MB unpacked.
    public static let `default` = ZipLimits()
}
