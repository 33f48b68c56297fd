import Domain
import Foundation
import FuzzSupport

/// Text and fonts of the PDFs the app writes (the sign-in cards): a line through ``LineShaping`` and a page set in
/// embedded fonts (``PDFDocument`` with ``TrueTypeFont``), or a font file through ``TrueTypeFont`` and its subset.
///
/// Input: a selector byte, then the bytes. Even: a line of text (UTF-8, invalid sequences repaired, as a name from a
/// roster is) typeset in DejaVu Sans when `/usr/share/fonts/truetype/dejavu` has it, else in Helvetica; the whole
/// PDF is written only when the selector is a multiple of 4 (embedding the subsets is the slow part). Odd: a font
/// file.
///
/// Properties: shaping never adds characters, and a line with no lam-alef keeps its count; what a drawn glyph stands
/// for maps back to at least one character; the PDF ends with `%%EOF` and its `startxref` points at `xref`; a font
/// that parses gives a subset whose bytes sum to 0xB1B0AFBA.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if selector % 2 == 0 {
        let line = String(decoding: rest, as: UTF8.self)
        let scalars = Array(line.unicodeScalars)
        let visual = LineShaping.visual(line)
        fuzzRequire(visual.count <= scalars.count, "shaping added characters")
        let ligatures = zip(scalars, scalars.dropFirst()).contains { $0.value == 0x0644 && (0x0622...0x0627).contains($1.value) }
        if !ligatures { fuzzRequire(visual.count == scalars.count, "shaping lost characters without a ligature") }
        for scalar in visual { fuzzRequire(!LineShaping.logical(scalar).isEmpty, "a glyph standing for nothing") }
        var document = PDFDocument(title: line)
        var page = PDFDocument.Page(width: 200, height: 100, fonts: Fonts.dejaVu)
        let fitted = page.fitted(line, width: 150, size: 12, minimumSize: 6)
        page.text(fitted.text, x: 10, y: 50, size: fitted.size, rightEdge: LineShaping.isRightToLeft(line) ? 190 : nil)
        page.text(line, x: 10, y: 20, size: 8, font: .helveticaBold)
        document.add(page)
        guard selector % 4 == 0 else { return 0 }
        let pdf = document.bytes()
        fuzzRequire(pdf.suffix(6) == Array("%%EOF\n".utf8), "no %%EOF at the end")
        let tail = String(decoding: pdf.suffix(40), as: UTF8.self)
        if let range = tail.range(of: "startxref\n"), let offset = Int(tail[range.upperBound...].prefix { $0.isNumber }) {
            fuzzRequire(offset < pdf.count && pdf[offset...].starts(with: Array("xref\n".utf8)), "startxref points elsewhere")
        } else {
            fuzzRequire(false, "no startxref")
        }
    } else if let font = try? TrueTypeFont(bytes: rest) {
        let glyphs = Set((0..<UInt16(min(rest.count, 64))).map { UInt16(rest[Int($0)]) })
        let subset = font.subset(keeping: glyphs)
        var sum: UInt32 = 0
        for index in stride(from: 0, to: subset.count, by: 4) {
            var word: UInt32 = 0
            for byte in 0..<4 { word = word << 8 | UInt32(index + byte < subset.count ? subset[index + byte] : 0) }
            sum &+= word
        }
        fuzzRequire(sum == 0xB1B0_AFBA, "the subset's checksum adjustment is wrong")
        for scalar in "Aب".unicodeScalars { _ = font.glyph(for: scalar).map(font.advancePerMille) }
    }
    return 0
}

/// DejaVu Sans, read once, if installed.
enum Fonts {
    static let dejaVu: PDFDocument.EmbeddedFonts? = {
        let folder = "/usr/share/fonts/truetype/dejavu"
        guard let regular = FileManager.default.contents(atPath: "\(folder)/DejaVuSans.ttf"),
            let bold = FileManager.default.contents(atPath: "\(folder)/DejaVuSans-Bold.ttf"),
            let regularFont = try? TrueTypeFont(bytes: Array(regular)), let boldFont = try? TrueTypeFont(bytes: Array(bold))
        else { return nil }
        return PDFDocument.EmbeddedFonts(regular: regularFont, bold: boldFont)
    }()
}
