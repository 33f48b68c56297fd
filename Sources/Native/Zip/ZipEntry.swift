/// One file or folder listed in a zip's central directory.
public struct ZipEntry: Sendable, Hashable {
    /// How the entry's bytes are stored (APPNOTE 4.4.5); other methods are refused when the archive is read.
    public enum Method: Sendable, Hashable {
        /// Method 0: the bytes as they are.
        case stored
        /// Method 8: raw deflate (RFC 1951).
        case deflated
    }

    /// The path inside the zip, `/`-separated; folders end in `/`. Checked to be relative, without `..`
    /// segments, backslashes or NUL.
    public let name: String
    /// How the bytes are compressed.
    public let method: Method
    /// The size of the stored bytes.
    public let compressedSize: Int
    /// The size once extracted, as the zip declares it; extraction fails if the data unpacks to anything else.
    public let uncompressedSize: Int
    /// The CRC-32 the zip declares for the extracted bytes.
    public let crc32: UInt32
    /// Where the stored bytes lie in the archive, taken from the central directory and the local header.
    let dataRange: Range<Int>

    /// Whether the entry is a folder (its name ends in `/`) rather than a file.
    public var isDirectory: Bool { name.hasSuffix("/") }
}
