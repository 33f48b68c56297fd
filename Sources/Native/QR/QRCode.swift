import CQREncode
import Foundation

/// A QR code symbol made by Debian's libqrencode: a square of dark and light modules, for the TOTP enrolment
/// page (the `otpauth://` URI is scanned by an authenticator app).
///
/// Only the module matrix leaves this type; drawing it (as SVG) is the page's business.
public struct QRCode: Sendable, Equatable {
    /// Modules per side.
    public let width: Int
    /// Row-major, `true` for a dark module; `width * width` entries.
    public let modules: [Bool]

    /// Error correction level M (15 % of the symbol recoverable): what authenticator apps read reliably from a
    /// screen, at a size that stays small for a ~120-character URI.
    ///
    /// Throws ``QRCodeError`` when the text contains NUL or is too long for any QR version (40-M holds 2,331
    /// bytes).
    public init(encoding text: String) throws(QRCodeError) {
        guard !text.utf8.contains(0) else { throw QRCodeError(message: "the text contains a NUL byte") }
        // Whole-string 8-bit mode: the URI's lower-case letters and punctuation are not alphanumeric-mode
        // characters anyway, and 8-bit mode keeps the bytes exactly as given. Version 0 lets the library pick
        // the smallest symbol.
        guard let symbol = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw QRCodeError(message: "libqrencode could not encode the text (errno \(errno))")
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        // Bit 0 of each byte is the module's colour (1 = dark); the other bits describe how it was made.
        let buffer = UnsafeBufferPointer(start: symbol.pointee.data, count: width * width)
        self.width = width
        self.modules = buffer.map { $0 & 1 == 1 }
    }

    /// Whether the module at column `x`, row `y` is dark.
    public func isDark(x: Int, y: Int) -> Bool { modules[y * width + x] }
}

/// Why a QR code could not be made.
public struct QRCodeError: Error, Sendable, CustomStringConvertible {
    /// For logs.
    public let message: String
    /// The message.
    public var description: String { message }
}
