/// An uploaded app logo, recognised by its content and never by its name or declared type.
///
/// Only PNG and JPEG are accepted: browsers render them without running anything, whereas SVG can carry
/// script and other formats are not needed. The check is structural, enough to refuse disguised and
/// truncated files without decoding pixels:
/// - PNG (ISO/IEC 15948 §5): the 8-byte signature, then chunks each with a length that fits and a correct
///   CRC-32, `IHDR` first with valid bit depth and colour type, at least one `IDAT`, and `IEND` as the last
///   bytes of the file.
/// - JPEG (ITU-T T.81 Annex B): `SOI`, then marker segments whose lengths fit, up to a start-of-frame
///   (`SOF0`–`SOF15` except `DHT`, `JPG`, `DAC`) that gives the size, before any `SOS`; the file must end
///   with `EOI`.
/// - At most ``maximumBytes`` and ``maximumDimension`` pixels each way, and not zero.
public struct LogoImage: Sendable, Equatable {
    /// The two accepted formats.
    public enum Format: String, Sendable {
        case png, jpeg

        /// The `Content-Type` to serve the logo with (together with `X-Content-Type-Options: nosniff`).
        public var contentType: String {
            switch self {
            case .png: "image/png"
            case .jpeg: "image/jpeg"
            }
        }
    }

    /// Largest upload, in bytes (256 KiB).
    public static let maximumBytes = 256 * 1024
    /// Largest width and height, in pixels.
    public static let maximumDimension = 1024

    /// What the bytes are.
    public let format: Format
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int

    /// A recognised logo.
    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Why an upload was refused; ``problem`` is for the page.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The sentence shown next to the logo field.
        public let problem: Message
        /// The sentence in English (logs, tests).
        public var message: String { problem.english }
        public var description: String { message }

        static let empty = Problem(problem: Message("logo.error.empty", "The file is empty."))
        static let tooLarge = Problem(problem: Message("logo.error.too_large", "The logo may be at most 256 KB."))
        static let svg = Problem(
            problem: Message("logo.error.svg", "SVG images are not accepted, because they can contain scripts: upload a PNG or JPEG."))
        static let gif = Problem(problem: Message("logo.error.gif", "GIF images are not accepted: upload a PNG or JPEG."))
        static let webp = Problem(problem: Message("logo.error.webp", "WebP images are not accepted: upload a PNG or JPEG."))
        static let unknown = Problem(problem: Message("logo.error.unknown", "This file is not a PNG or JPEG image, whatever its name says."))
        static let damagedPNG = Problem(problem: Message("logo.error.damaged_png", "This PNG file is damaged or incomplete."))
        static let damagedJPEG = Problem(problem: Message("logo.error.damaged_jpeg", "This JPEG file is damaged or incomplete."))
        static func tooManyPixels(_ width: Int, _ height: Int) -> Problem {
            Problem(
                problem: Message(
                    "logo.error.pixels", "The logo is \(width)×\(height) pixels; it may be at most \(maximumDimension)×\(maximumDimension).",
                    ["width": "\(width)", "height": "\(height)", "most": "\(maximumDimension)"]))
        }
    }

    /// Recognises `bytes` as an acceptable logo, or says why not.
    public static func inspect(_ bytes: [UInt8]) -> Result<LogoImage, Problem> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maximumBytes else { return .failure(.tooLarge) }
        let image: LogoImage
        if bytes.starts(with: pngSignature) {
            guard let png = parsePNG(bytes) else { return .failure(.damagedPNG) }
            image = png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            guard let jpeg = parseJPEG(bytes) else { return .failure(.damagedJPEG) }
            image = jpeg
        } else {
            return .failure(recognizeRefused(bytes))
        }
        guard image.width > 0, image.height > 0 else { return .failure(image.format == .png ? .damagedPNG : .damagedJPEG) }
        guard image.width <= maximumDimension, image.height <= maximumDimension else {
            return .failure(.tooManyPixels(image.width, image.height))
        }
        return .success(image)
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A friendlier message for formats people commonly try.
    private static func recognizeRefused(_ bytes: [UInt8]) -> Problem {
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return .gif }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .webp }
        var start = bytes[...]
        if start.starts(with: [0xEF, 0xBB, 0xBF]) { start = start.dropFirst(3) }
        let firstVisible = start.prefix(1024).first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstVisible == UInt8(ascii: "<") {
            let head = String(decoding: start.prefix(1024), as: UTF8.self).lowercased()
            if head.contains("<svg") { return .svg }
        }
        return .unknown
    }

    private static func parsePNG(_ bytes: [UInt8]) -> LogoImage? {
        var offset = pngSignature.count
        var width = 0
        var height = 0
        var sawIDAT = false
        var isFirst = true
        while true {
            guard bytes.count - offset >= 12 else { return nil }
            let length = Int(bigEndian32(bytes, offset))
            guard length <= bytes.count - offset - 12 else { return nil }
            let type = Array(bytes[(offset + 4)..<(offset + 8)])
            guard type.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else { return nil }
            let dataStart = offset + 8
            let crcStart = dataStart + length
            guard crc32(bytes[(offset + 4)..<crcStart]) == bigEndian32(bytes, crcStart) else { return nil }
            switch String(decoding: type, as: UTF8.self) {
            case "IHDR":
                guard isFirst, length == 13 else { return nil }
                width = Int(bigEndian32(bytes, dataStart))
                height = Int(bigEndian32(bytes, dataStart + 4))
                guard isValidDepth(bitDepth: bytes[dataStart + 8], colourType: bytes[dataStart + 9]) else { return nil }
                // Compression, filter and interlace methods: only the defined values (0, 0, 0 or 1).
                guard bytes[dataStart + 10] == 0, bytes[dataStart + 11] == 0, bytes[dataStart + 12] <= 1 else { return nil }
            case "IDAT":
                guard !isFirst else { return nil }
                sawIDAT = true
            case "IEND":
                guard !isFirst, sawIDAT, length == 0, crcStart + 4 == bytes.count else { return nil }
                return LogoImage(format: .png, width: width, height: height)
            default:
                guard !isFirst else { return nil }
            }
            isFirst = false
            offset = crcStart + 4
        }
    }

    /// ISO/IEC 15948 Table 11.1: the allowed bit depths per colour type.
    private static func isValidDepth(bitDepth: UInt8, colourType: UInt8) -> Bool {
        switch colourType {
        case 0: [1, 2, 4, 8, 16].contains(bitDepth)
        case 3: [1, 2, 4, 8].contains(bitDepth)
        case 2, 4, 6: [8, 16].contains(bitDepth)
        default: false
        }
    }

    private static func parseJPEG(_ bytes: [UInt8]) -> LogoImage? {
        guard bytes.count >= 4, bytes[bytes.count - 2] == 0xFF, bytes[bytes.count - 1] == 0xD9 else { return nil }
        var offset = 2
        while offset < bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            // Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
            while offset < bytes.count && bytes[offset] == 0xFF { offset += 1 }
            guard offset < bytes.count else { return nil }
            let marker = bytes[offset]
            offset += 1
            // Markers without a length: TEM and RST0–7. SOI again, EOI or SOS before a frame: no size.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            if marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA { return nil }
            guard bytes.count - offset >= 2 else { return nil }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard length >= 2, length <= bytes.count - offset else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                // Frame header: Lf (2), P (1), Y (2), X (2), Nf (1), …
                guard length >= 8 else { return nil }
                let height = Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
                let width = Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6])
                return LogoImage(format: .jpeg, width: width, height: height)
            }
            offset += length
        }
        return nil
    }

    private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// CRC-32 as PNG uses it (ISO/IEC 15948 Annex D: polynomial 0xEDB88320, reflected, inverted).
    private static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
