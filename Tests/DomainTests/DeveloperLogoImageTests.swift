import Domain
import Testing

/// Logo uploads: PNG and JPEG recognised by content, everything else (and anything disguised, truncated or too
/// big) refused with a message.
@Suite struct DeveloperLogoImageTests {
    /// CRC-32 of PNG chunks, written out here so the fixtures do not trust the code under test.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func be32(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return be32(UInt32(data.count)) + typed + be32(crc32(typed))
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A structurally complete PNG: signature, IHDR, one IDAT (a zlib stream of one grey pixel), IEND.
    static func png(width: UInt32 = 1, height: UInt32 = 1, bitDepth: UInt8 = 8, colourType: UInt8 = 0) -> [UInt8] {
        let ihdr = be32(width) + be32(height) + [bitDepth, colourType, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]
        return signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// A minimal baseline JPEG: SOI, an APP0 segment, SOF0 with the size, SOS with a byte of data, EOI.
    static func jpeg(width: UInt16 = 16, height: UInt16 = 8, frame: UInt8 = 0xC0) -> [UInt8] {
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]
        let sof: [UInt8] = [
            0xFF, frame, 0x00, 0x0B, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 0x01, 0x01, 0x11, 0x00,
        ]
        let sos: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12]
        return [0xFF, 0xD8] + app0 + sof + sos + [0xFF, 0xD9]
    }

    static func problem(_ bytes: [UInt8]) -> String? {
        if case .failure(let problem) = LogoImage.inspect(bytes) { return problem.message }
        return nil
    }

    @Test func theFixturesCRCIsTheStandardOne() {
        #expect(Self.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func aMinimalPNGIsRecognisedWithItsSize() {
        #expect(LogoImage.inspect(Self.png(width: 300, height: 200)) == .success(LogoImage(format: .png, width: 300, height: 200)))
        #expect(LogoImage.Format.png.contentType == "image/png")
    }

    @Test func aMinimalJPEGIsRecognisedWithItsSize() {
        #expect(LogoImage.inspect(Self.jpeg()) == .success(LogoImage(format: .jpeg, width: 16, height: 8)))
        #expect(LogoImage.Format.jpeg.contentType == "image/jpeg")
    }

    @Test(arguments: [0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF] as [UInt8])
    func everyStartOfFrameMarkerGivesTheSize(frame: UInt8) {
        #expect(LogoImage.inspect(Self.jpeg(width: 640, height: 480, frame: frame)) == .success(LogoImage(format: .jpeg, width: 640, height: 480)))
    }

    @Test func fillBytesBeforeAMarkerAreSkipped() {
        var bytes = Self.jpeg()
        bytes.insert(contentsOf: [0xFF, 0xFF], at: 2)
        #expect(LogoImage.inspect(bytes) == .success(LogoImage(format: .jpeg, width: 16, height: 8)))
    }

    @Test func theLimitsAre1024PixelsEachWayInclusive() {
        #expect(LogoImage.inspect(Self.png(width: 1024, height: 1024)) == .success(LogoImage(format: .png, width: 1024, height: 1024)))
        #expect(Self.problem(Self.png(width: 1025, height: 10)) == "The logo is 1025×10 pixels; it may be at most 1024×1024.")
        #expect(Self.problem(Self.jpeg(width: 10, height: 4000)) == "The logo is 10×4000 pixels; it may be at most 1024×1024.")
        #expect(Self.problem(Self.png(width: 0xFFFF_FFFF, height: 1)) != nil)
    }

    @Test func theLimitIs256KB() {
        // Padding in an ancillary chunk keeps the PNG valid while growing it.
        func padded(to size: Int) -> [UInt8] {
            let base = Self.png()
            let padding = size - base.count - 12
            let withText = Self.signature + Array(base[8..<33]) + Self.chunk("tEXt", [UInt8](repeating: 0x41, count: padding))
            return withText + Array(base[33...])
        }
        #expect(padded(to: 262_144).count == 262_144)
        #expect(LogoImage.inspect(padded(to: 262_144)) == .success(LogoImage(format: .png, width: 1, height: 1)))
        #expect(Self.problem(padded(to: 262_145)) == "The logo may be at most 256 KB.")
    }

    @Test func zeroSizedImagesAreRefused() {
        #expect(Self.problem(Self.png(width: 0, height: 5)) == "This PNG file is damaged or incomplete.")
        #expect(Self.problem(Self.jpeg(width: 5, height: 0)) == "This JPEG file is damaged or incomplete.")
    }

    struct Disguise: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let message: String
        var testDescription: String { name }
    }

    static let svgMessage = "SVG images are not accepted, because they can contain scripts: upload a PNG or JPEG."
    static let notAnImage = "This file is not a PNG or JPEG image, whatever its name says."
    static let damagedPNG = "This PNG file is damaged or incomplete."
    static let damagedJPEG = "This JPEG file is damaged or incomplete."

    static let disguises: [Disguise] = {
        let goodPNG = Self.png()
        let goodJPEG = Self.jpeg()
        var badCRC = goodPNG
        badCRC[32] ^= 0x01  // the last byte of IHDR's CRC
        let badDepth = Self.png(bitDepth: 3)
        return [
            Disguise(name: "empty file", bytes: [], message: "The file is empty."),
            Disguise(
                name: "SVG", bytes: Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8), message: svgMessage),
            Disguise(
                name: "SVG with an XML prolog, BOM and spaces", bytes: [0xEF, 0xBB, 0xBF] + Array("\n <?xml version=\"1.0\"?>\n<svg/>".utf8),
                message: svgMessage),
            Disguise(
                name: "GIF", bytes: Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B], message: "GIF images are not accepted: upload a PNG or JPEG."),
            Disguise(
                name: "WebP", bytes: Array("RIFF".utf8) + [26, 0, 0, 0] + Array("WEBPVP8 ".utf8),
                message: "WebP images are not accepted: upload a PNG or JPEG."),
            Disguise(name: "HTML named logo.png", bytes: Array("<!doctype html><script>alert(1)</script>".utf8), message: notAnImage),
            Disguise(name: "text", bytes: Array("hello".utf8), message: notAnImage),
            Disguise(name: "signature only", bytes: Self.signature, message: damagedPNG),
            Disguise(name: "PNG cut after IHDR", bytes: Array(goodPNG[..<33]), message: damagedPNG),
            Disguise(name: "PNG cut inside IDAT", bytes: Array(goodPNG[..<50]), message: damagedPNG),
            Disguise(name: "PNG without IEND's last byte", bytes: Array(goodPNG.dropLast()), message: damagedPNG),
            Disguise(name: "PNG with HTML after IEND", bytes: goodPNG + Array("<script>alert(1)</script>".utf8), message: damagedPNG),
            Disguise(name: "PNG with a wrong CRC", bytes: badCRC, message: damagedPNG),
            Disguise(name: "PNG with an impossible bit depth", bytes: badDepth, message: damagedPNG),
            Disguise(name: "PNG without IDAT", bytes: Self.signature + Array(goodPNG[8..<33]) + Self.chunk("IEND", []), message: damagedPNG),
            Disguise(
                name: "PNG whose first chunk is not IHDR", bytes: Self.signature + Self.chunk("tEXt", [0x41]) + Array(goodPNG[8...]),
                message: damagedPNG),
            Disguise(
                name: "PNG with a huge chunk length", bytes: Self.signature + [0x7F, 0xFF, 0xFF, 0xFF] + Array(goodPNG[12...]), message: damagedPNG),
            Disguise(name: "JPEG SOI only", bytes: [0xFF, 0xD8, 0xFF], message: damagedJPEG),
            Disguise(name: "JPEG without EOI", bytes: Array(goodJPEG.dropLast(2)), message: damagedJPEG),
            Disguise(name: "JPEG cut inside SOF", bytes: Array(goodJPEG[..<26]) + [0xFF, 0xD9], message: damagedJPEG),
            Disguise(name: "JPEG with scan data before any frame", bytes: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9], message: damagedJPEG),
            Disguise(name: "JPEG with a segment length past the end", bytes: [0xFF, 0xD8, 0xFF, 0xE0, 0x7F, 0xFF, 0xFF, 0xD9], message: damagedJPEG),
            Disguise(name: "JPEG with a length of 1", bytes: [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9], message: damagedJPEG),
            Disguise(name: "JPEG with only DHT before EOI", bytes: [0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x02, 0xFF, 0xD9], message: damagedJPEG),
            Disguise(
                name: "HTML behind a JPEG SOI", bytes: [0xFF, 0xD8, 0xFF] + Array("<html><script>alert(1)</script>".utf8) + [0xFF, 0xD9],
                message: damagedJPEG),
        ]
    }()

    @Test(arguments: disguises)
    func disguisedTruncatedAndOtherFilesAreRefused(disguise: Disguise) {
        #expect(Self.problem(disguise.bytes) == disguise.message)
    }
}
