import Foundation

/// A small PDF 1.4 writer (ISO 32000-1, which PDF 1.4 files also satisfy): pages of text in the standard
/// Helvetica fonts and stroked lines and rectangles, nothing else. Enough for printable sign-in cards, with no
/// external tool.
///
/// - The standard 14 fonts need no embedding (§9.6.2.2); text is written in `WinAnsiEncoding` (Annex D.2), so
///   Latin-1 names print as they are and any other character prints as `?`.
/// - Strings are literal strings with `\`, `(` and `)` escaped (§7.3.4.2).
/// - The cross-reference table has one 20-byte entry per object with its exact byte offset (§7.5.4), and
///   `startxref` gives the table's own offset (§7.5.5), so readers need no repair.
public struct PDFDocument: Sendable {
    /// The two fonts offered.
    public enum Font: Sendable {
        case helvetica
        case helveticaBold

        var resourceName: String { self == .helvetica ? "F1" : "F2" }
        var baseFont: String { self == .helvetica ? "Helvetica" : "Helvetica-Bold" }

        /// The width of `text` at `size` points, from Helvetica's metrics (bold set about 5% wider; close enough
        /// for fitting text into a box).
        public func width(of text: String, size: Double) -> Double {
            let units = text.unicodeScalars.reduce(0) { sum, scalar in
                let value = Int(scalar.value)
                return sum + ((32...126).contains(value) ? Self.helveticaWidths[value - 32] : 556)
            }
            return Double(units) * size / 1000 * (self == .helveticaBold ? 1.05 : 1)
        }

        /// `text` at the largest size from `size` down to `minimumSize` that fits `width`; if even the smallest is
        /// too wide, cut with "…".
        public func fitted(_ text: String, width: Double, size: Double, minimumSize: Double) -> (text: String, size: Double) {
            var current = size
            while current > minimumSize, self.width(of: text, size: current) > width { current -= 0.5 }
            current = max(current, minimumSize)
            guard self.width(of: text, size: current) > width else { return (text, current) }
            var characters = Array(text)
            while !characters.isEmpty, self.width(of: String(characters) + "…", size: current) > width { characters.removeLast() }
            return (String(characters) + "…", current)
        }

        /// Helvetica's advance widths of the characters 32–126 in thousandths of the size (Adobe's AFM).
        static let helveticaWidths: [Int] = [
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  // space to /
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556,  // 0 to 9
            278, 278, 584, 584, 584, 556, 1015,  // : to @
            667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944,
            667, 667, 611,  // A to Z
            278, 278, 278, 469, 556, 333,  // [ to `
            556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
            500, 500, 500,  // a to z
            334, 260, 334, 584,  // { to ~
        ]
    }

    /// One page: its size and its content stream's operators.
    public struct Page: Sendable {
        public let width: Double
        public let height: Double
        private(set) var content: [UInt8] = []

        public init(width: Double, height: Double) {
            self.width = width
            self.height = height
        }

        /// Writes `text` with its baseline starting at (`x`, `y`), in grey `grey` (0 black, 1 white).
        public mutating func text(_ text: String, x: Double, y: Double, size: Double, font: Font = .helvetica, grey: Double = 0) {
            append("BT /\(font.resourceName) \(number(size)) Tf \(number(grey)) g \(number(x)) \(number(y)) Td ")
            content += PDFDocument.literal(text)
            append(" Tj ET\n")
        }

        /// Strokes a rectangle; `dash` is the on/off pattern in points (empty: solid).
        public mutating func rectangle(
            x: Double, y: Double, width: Double, height: Double, lineWidth: Double = 0.75, grey: Double = 0, dash: [Double] = []
        ) {
            append(
                "q \(number(lineWidth)) w \(number(grey)) G [\(dash.map(number).joined(separator: " "))] 0 d "
                    + "\(number(x)) \(number(y)) \(number(width)) \(number(height)) re S Q\n")
        }

        /// Fills squares of side `side` at the given lower-left corners in grey `grey` (a QR code's dark modules), as
        /// one path.
        public mutating func fillSquares(_ corners: [(x: Double, y: Double)], side: Double, grey: Double = 0) {
            guard !corners.isEmpty else { return }
            var operators = "q \(number(grey)) g "
            for corner in corners { operators += "\(number(corner.x)) \(number(corner.y)) \(number(side)) \(number(side)) re " }
            append(operators + "f Q\n")
        }

        /// Strokes a straight line.
        public mutating func line(fromX: Double, fromY: Double, toX: Double, toY: Double, lineWidth: Double = 0.75, grey: Double = 0) {
            append("q \(number(lineWidth)) w \(number(grey)) G \(number(fromX)) \(number(fromY)) m \(number(toX)) \(number(toY)) l S Q\n")
        }

        private mutating func append(_ operators: String) { content += Array(operators.utf8) }

        private func number(_ value: Double) -> String { PDFDocument.number(value) }
    }

    /// The document's title (its Info dictionary).
    public var title: String
    public private(set) var pages: [Page] = []

    public init(title: String) { self.title = title }

    public mutating func add(_ page: Page) { pages.append(page) }

    /// The file's bytes.
    public func bytes() -> [UInt8] {
        // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, then a page and its content stream per page, then Info.
        let pageObject = { (index: Int) in 5 + 2 * index }
        let infoObject = 5 + 2 * pages.count
        var objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [\(pages.indices.map { "\(pageObject($0)) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>".utf8),
            Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8),
            Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8),
        ]
        for (index, page) in pages.enumerated() {
            objects.append(
                Array(
                    ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(page.width)) \(Self.number(page.height))] "
                        + "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(pageObject(index) + 1) 0 R >>").utf8))
            objects.append(Array("<< /Length \(page.content.count) >>\nstream\n".utf8) + page.content + Array("\nendstream".utf8))
        }
        objects.append(Array("<< /Title ".utf8) + Self.literal(title) + Array(" /Producer (CatalystWells) >>".utf8))
        precondition(objects.count == infoObject, "object numbering")

        // The second line's high bytes tell transfer programs the file is binary (§7.5.2).
        var out: [UInt8] = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info \(infoObject) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }

    /// A literal string in WinAnsiEncoding, escaped.
    static func literal(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "(")]
        for scalar in text.unicodeScalars {
            let byte = winAnsi(scalar)
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: ")"))
        return out
    }

    /// The WinAnsiEncoding byte of a character, `?` when it has none (control characters included).
    static func winAnsi(_ scalar: Unicode.Scalar) -> UInt8 {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0xFF: return UInt8(scalar.value)
        case 0x20AC: return 0x80
        case 0x2026: return 0x85
        case 0x2018: return 0x91
        case 0x2019: return 0x92
        case 0x201C: return 0x93
        case 0x201D: return 0x94
        case 0x2022: return 0x95
        case 0x2013: return 0x96
        case 0x2014: return 0x97
        default: return UInt8(ascii: "?")
        }
    }

    /// A number as PDF writes it: at most two decimals, no exponent, `.` as the separator whatever the locale.
    static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        if fraction == 0 { return sign + String(magnitude / 100) }
        if fraction % 10 == 0 { return sign + String(magnitude / 100) + "." + String(fraction / 10) }
        return sign + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
