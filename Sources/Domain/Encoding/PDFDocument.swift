import Foundation

/// A small PDF 1.4 writer (ISO 32000-1, which PDF 1.4 files also satisfy): pages of text, stroked lines and
/// rectangles, nothing else. Enough for printable sign-in cards, with no external tool.
///
/// - Text is set in one of two faces, regular and bold. With ``EmbeddedFonts`` (TrueType files, e.g. Debian's
///   DejaVu Sans) any script the font draws prints: each line goes through ``LineShaping`` (Arabic joining, visual
///   order), is written as glyph ids in a `Type0` font with `Identity-H` encoding (§9.7.4), and the document embeds
///   a subset of each font holding only the glyphs it uses (§9.9) with a `ToUnicode` map (§9.10.3), so the text can
///   still be searched, copied and read aloud.
/// - Without them, the standard 14 fonts need no embedding (§9.6.2.2); text is written in `WinAnsiEncoding`
///   (Annex D.2), so Latin-1 names print as they are and any other character prints as `?`.
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
            PDFDocument.fit(text, width: width, size: size, minimumSize: minimumSize) { self.width(of: $0, size: $1) }
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

    /// `text` at the largest size from `size` down to `minimumSize` whose `measure` fits `width`; if even the smallest
    /// is too wide, cut with "…" (whole characters, so a cut never splits a letter from its marks).
    static func fit(
        _ text: String, width: Double, size: Double, minimumSize: Double, measure: (String, Double) -> Double
    ) -> (text: String, size: Double) {
        var current = size
        while current > minimumSize, measure(text, current) > width { current -= 0.5 }
        current = max(current, minimumSize)
        guard measure(text, current) > width else { return (text, current) }
        // The longest prefix that fits with the ellipsis, by binary search (widths grow with the prefix), so a long
        // line costs O(n log n) measurements of it, not O(n²).
        let characters = Array(text)
        var fits = 0
        var tooLong = characters.count
        while tooLong - fits > 1 {
            let middle = (fits + tooLong) / 2
            if measure(String(characters[..<middle]) + "…", current) <= width { fits = middle } else { tooLong = middle }
        }
        return (String(characters[..<fits]) + "…", current)
    }

    /// A regular and a bold TrueType face to embed, in place of the standard Helvetica pair.
    public struct EmbeddedFonts: Sendable {
        public let regular: TrueTypeFont
        public let bold: TrueTypeFont

        public init(regular: TrueTypeFont, bold: TrueTypeFont) {
            self.regular = regular
            self.bold = bold
        }

        func face(_ font: Font) -> TrueTypeFont { font == .helvetica ? regular : bold }
    }

    /// One page: its size and its content stream's operators.
    public struct Page: Sendable {
        public let width: Double
        public let height: Double
        /// The faces text is set in (nil: the standard Helvetica pair).
        public let fonts: EmbeddedFonts?
        private(set) var content: [UInt8] = []
        /// With embedded fonts: per face (regular, bold), each glyph used and the characters it stands for.
        private(set) var glyphsUsed: [[UInt16: [Unicode.Scalar]]] = [[:], [:]]

        public init(width: Double, height: Double, fonts: EmbeddedFonts? = nil) {
            self.width = width
            self.height = height
            self.fonts = fonts
        }

        /// The width of `text` at `size` points as this page sets it.
        public func width(of text: String, font: Font = .helvetica, size: Double) -> Double {
            guard let face = fonts?.face(font) else { return font.width(of: text, size: size) }
            let units = LineShaping.visual(text).reduce(0) { $0 + face.advancePerMille(of: face.glyph(for: $1) ?? 0) }
            return Double(units) * size / 1000
        }

        /// `text` fitted to `width` as this page measures it (see ``Font/fitted(_:width:size:minimumSize:)``).
        public func fitted(_ text: String, font: Font = .helvetica, width: Double, size: Double, minimumSize: Double) -> (
            text: String, size: Double
        ) {
            PDFDocument.fit(text, width: width, size: size, minimumSize: minimumSize) { self.width(of: $0, font: font, size: $1) }
        }

        /// Writes `text` with its baseline starting at (`x`, `y`), in grey `grey` (0 black, 1 white); with
        /// `rightEdge`, the line ends there instead (right-to-left pages).
        public mutating func text(
            _ text: String, x: Double, y: Double, size: Double, font: Font = .helvetica, grey: Double = 0, rightEdge: Double? = nil
        ) {
            let start = rightEdge.map { $0 - width(of: text, font: font, size: size) } ?? x
            append("BT /\(font.resourceName) \(number(size)) Tf \(number(grey)) g \(number(start)) \(number(y)) Td ")
            if let face = fonts?.face(font) {
                let slot = font == .helvetica ? 0 : 1
                var hex: [UInt8] = [UInt8(ascii: "<")]
                for scalar in LineShaping.visual(text) {
                    let glyph = face.glyph(for: scalar) ?? 0
                    if glyph != 0, glyphsUsed[slot][glyph] == nil { glyphsUsed[slot][glyph] = LineShaping.logical(scalar) }
                    hex += PDFDocument.hex16(glyph)
                }
                content += hex + [UInt8(ascii: ">")]
            } else {
                content += PDFDocument.literal(text)
            }
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
        // Objects: 1 catalog, 2 page tree, 3 and 4 fonts (F1 regular, F2 bold), a page and its content stream per
        // page, Info; then, with embedded fonts, four objects per face: the CIDFont, its descriptor, the font file and
        // the ToUnicode map.
        let pageObject = { (index: Int) in 5 + 2 * index }
        let infoObject = 5 + 2 * pages.count
        let embedded = pages.first?.fonts
        let faceObject = { (slot: Int) in infoObject + 1 + 4 * slot }
        var objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [\(pages.indices.map { "\(pageObject($0)) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>".utf8),
        ]
        var used: [[UInt16: [Unicode.Scalar]]] = [[:], [:]]
        for page in pages {
            for slot in 0..<2 { used[slot].merge(page.glyphsUsed[slot]) { first, _ in first } }
        }
        let subsetTags = (0..<2).map { Self.subsetTag(Set(used[$0].keys), slot: $0) }
        if let embedded {
            for (slot, face) in [embedded.regular, embedded.bold].enumerated() {
                objects.append(
                    Array(
                        ("<< /Type /Font /Subtype /Type0 /BaseFont /\(subsetTags[slot])+\(face.postScriptName) /Encoding /Identity-H "
                            + "/DescendantFonts [\(faceObject(slot)) 0 R] /ToUnicode \(faceObject(slot) + 3) 0 R >>").utf8))
            }
        } else {
            objects.append(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
            objects.append(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".utf8))
        }
        for (index, page) in pages.enumerated() {
            objects.append(
                Array(
                    ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(page.width)) \(Self.number(page.height))] "
                        + "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(pageObject(index) + 1) 0 R >>").utf8))
            objects.append(Array("<< /Length \(page.content.count) >>\nstream\n".utf8) + page.content + Array("\nendstream".utf8))
        }
        objects.append(Array("<< /Title ".utf8) + Self.textString(title) + Array(" /Producer (CatalystWells) >>".utf8))
        precondition(objects.count == infoObject, "object numbering")
        if let embedded {
            for (slot, face) in [embedded.regular, embedded.bold].enumerated() {
                objects += Self.embeddedFace(face, glyphs: used[slot], name: "\(subsetTags[slot])+\(face.postScriptName)", first: faceObject(slot))
            }
        }

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

    /// The four objects of an embedded face, numbered from `first`: the `CIDFontType2` with the widths of the glyphs
    /// used, its descriptor, the subset font file, and the `ToUnicode` CMap from glyph ids to text.
    private static func embeddedFace(_ face: TrueTypeFont, glyphs: [UInt16: [Unicode.Scalar]], name: String, first: Int) -> [[UInt8]] {
        let scale = { (units: Int) in units * 1000 / face.unitsPerEm }
        let ids = glyphs.keys.sorted()
        let widths = ids.map { "\($0) [\(face.advancePerMille(of: $0))]" }.joined(separator: " ")
        let cidFont =
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) "
            + "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor \(first + 1) 0 R "
            + "/DW \(face.advancePerMille(of: 0)) /W [\(widths)] /CIDToGIDMap /Identity >>"
        let box = face.boundingBox.map { String(scale($0)) }.joined(separator: " ")
        let descriptor =
            "<< /Type /FontDescriptor /FontName /\(name) /Flags 4 /FontBBox [\(box)] /ItalicAngle 0 "
            + "/Ascent \(scale(face.ascent)) /Descent \(scale(face.descent)) /CapHeight \(scale(face.capHeight)) "
            + "/StemV \(face.isBold ? 120 : 80) /FontFile2 \(first + 2) 0 R >>"
        let file = face.subset(keeping: Set(ids))
        var cmap =
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            + "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n"
            + "/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        // At most 100 entries per bfchar block (§9.10.3, from Adobe's CMap specification).
        for chunk in stride(from: 0, to: ids.count, by: 100) {
            let block = ids[chunk..<min(chunk + 100, ids.count)]
            cmap += "\(block.count) beginbfchar\n"
            for id in block {
                let text = String(String.UnicodeScalarView(glyphs[id] ?? []))
                let utf16 = text.utf16.flatMap { hex16($0) }
                cmap += "<\(String(decoding: hex16(id), as: Unicode.ASCII.self))> <\(String(decoding: utf16, as: Unicode.ASCII.self))>\n"
            }
            cmap += "endbfchar\n"
        }
        cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
        return [
            Array(cidFont.utf8), Array(descriptor.utf8),
            Array("<< /Length \(file.count) /Length1 \(file.count) >>\nstream\n".utf8) + file + Array("\nendstream".utf8),
            Array("<< /Length \(cmap.utf8.count) >>\nstream\n\(cmap)\nendstream".utf8),
        ]
    }

    /// Six capital letters naming a subset (§9.6.4), the same for the same glyphs.
    private static func subsetTag(_ glyphs: Set<UInt16>, slot: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(slot)
        for glyph in glyphs.sorted() {
            hash = (hash ^ UInt64(glyph)) &* 0x0000_0100_0000_01B3
        }
        return String((0..<6).map { Character(Unicode.Scalar(UInt8(65 + (hash >> (8 * UInt64($0))) % 26))) })
    }

    /// A glyph id or UTF-16 unit as four hex digits.
    static func hex16(_ value: UInt16) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(value >> 12)], digits[Int(value >> 8 & 0xF)], digits[Int(value >> 4 & 0xF)], digits[Int(value & 0xF)]]
    }

    /// A text string (§7.9.2.2): a literal in PDFDocEncoding when WinAnsi holds every character, else UTF-16BE
    /// with its byte order mark, in hex.
    static func textString(_ text: String) -> [UInt8] {
        guard text.unicodeScalars.contains(where: { winAnsi($0) == UInt8(ascii: "?") && $0 != "?" }) else { return literal(text) }
        return Array("<FEFF".utf8) + text.utf16.flatMap { hex16($0) } + [UInt8(ascii: ">")]
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
