import Foundation
import Testing

@testable import Domain

/// TrueType fonts embedded in PDFs, and the line shaping that lets them print Arabic: the DejaVu Sans files of
/// Debian's `fonts-dejavu-core` (which `make test` and CI install), read as the sign-in cards read them.
struct EmbeddedFontTests {
    static let folder = "/usr/share/fonts/truetype/dejavu"

    static func font(_ name: String = "DejaVuSans.ttf") throws -> TrueTypeFont {
        let path = "\(folder)/\(name)"
        let data = try #require(FileManager.default.contents(atPath: path), "\(path) is missing: apt-get install fonts-dejavu-core")
        return try TrueTypeFont(bytes: Array(data))
    }

    static func scalars(_ values: [UInt32]) -> [Unicode.Scalar] { values.map { Unicode.Scalar($0)! } }

    // MARK: Reading a font

    @Test func dejaVuSansIsReadWithItsMetricsNameAndGlyphs() throws {
        let regular = try Self.font()
        #expect(regular.unitsPerEm == 2048)
        #expect(regular.postScriptName == "DejaVuSans")
        #expect(!regular.isBold)
        #expect(try Self.font("DejaVuSans-Bold.ttf").isBold)
        let a = try #require(regular.glyph(for: "A"))
        #expect(regular.advancePerMille(of: a) > 500 && regular.advancePerMille(of: a) < 800)
        // Arabic letters and their presentation forms, Latin with diacritics, Cyrillic, Greek.
        for scalar in ["ب", "\u{FE91}", "\u{FEFB}", "Ł", "Ж", "Ω", "ő"].flatMap(\.unicodeScalars) {
            #expect(regular.glyph(for: scalar) != nil, "\(scalar)")
        }
        #expect(regular.glyph(for: "日") == nil)  // DejaVu has no CJK: such a name prints as .notdef boxes
        #expect(regular.ascent > 0 && regular.descent < 0 && regular.capHeight > 0)
    }

    @Test func aCutOrCorruptFileIsAFailureNeverACrash() throws {
        let bytes = try Self.font().bytes
        for length in [0, 4, 11, 12, 100, 300, 4096, bytes.count / 2] {
            #expect(throws: TrueTypeFont.Failure.self) { try TrueTypeFont(bytes: Array(bytes.prefix(length))) }
        }
        #expect(throws: TrueTypeFont.Failure.self) { try TrueTypeFont(bytes: Array("%PDF-1.4 not a font".utf8)) }
        // Changed bytes in the directory and header tables, or anywhere: parsed or refused, never a trap; a font
        // that parses also subsets.
        var generator = SystemRandomNumberGenerator()
        for round in 0..<100 {
            var corrupt = bytes
            let span = round % 2 == 0 ? 1024 : bytes.count
            for _ in 0..<8 { corrupt[Int.random(in: 0..<span, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            if let font = try? TrueTypeFont(bytes: corrupt) { _ = font.subset(keeping: [0, 1, 36, 500, 4000]) }
        }
    }

    @Test func aSubsetKeepsGlyphIdsAndOnlyTheOutlinesAskedForAndChecksumsRight() throws {
        let font = try Self.font()
        let keep = Set("Ada ب".unicodeScalars.compactMap { font.glyph(for: $0) })
        let subset = font.subset(keeping: keep)
        #expect(subset.count < font.bytes.count / 15)  // about 40 kB of 760: loca and hmtx stay whole
        // The whole file sums to 0xB1B0AFBA (head.checksumAdjustment), word by word.
        var sum: UInt32 = 0
        for index in stride(from: 0, to: subset.count, by: 4) {
            var word: UInt32 = 0
            for byte in 0..<4 { word = word << 8 | UInt32(index + byte < subset.count ? subset[index + byte] : 0) }
            sum &+= word
        }
        #expect(sum == 0xB1B0_AFBA)
        // The table directory: the nine tables a PDF reader needs that DejaVu has, sorted, inside the file.
        func u16(_ at: Int) -> Int { Int(subset[at]) << 8 | Int(subset[at + 1]) }
        func u32(_ at: Int) -> Int { u16(at) << 16 | u16(at + 2) }
        let count = u16(4)
        let tags = (0..<count).map { String(decoding: subset[12 + 16 * $0..<16 + 16 * $0], as: UTF8.self) }
        #expect(tags == ["cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"])
        for index in 0..<count { #expect(u32(12 + 16 * index + 8) + u32(12 + 16 * index + 12) <= subset.count) }
        // loca (short offsets, halved, as head says): kept glyphs have outlines, the others none.
        let head = u32(12 + 16 * 3 + 8)
        #expect(u16(head + 50) == 0)
        let loca = u32(12 + 16 * 6 + 8)
        func outlineLength(_ glyph: Int) -> Int { 2 * (u16(loca + 2 * glyph + 2) - u16(loca + 2 * glyph)) }
        for glyph in keep where glyph != font.glyph(for: " ") { #expect(outlineLength(Int(glyph)) > 0) }
        #expect(outlineLength(Int(font.glyph(for: "Z")!)) == 0)
    }

    @Test func theFuzzSeedsTinyFontParsesAndItsCompositeGlyphKeepsItsComponent() throws {
        // fuzz/corpus/fuzz-pdf/tiny-font (fuzz/tools/make_seeds.py): four glyphs, short loca, a format 4 cmap.
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/corpus/fuzz-pdf/tiny-font")
        let bytes = try #require(FileManager.default.contents(atPath: seed.path))
        let font = try TrueTypeFont(bytes: Array(bytes.dropFirst()))  // the harness's selector byte
        #expect(font.unitsPerEm == 1000 && font.postScriptName == "Seed-Regular")
        #expect(font.glyph(for: "A") == 1 && font.glyph(for: "B") == 2 && font.glyph(for: "ب") == 3 && font.glyph(for: "C") == nil)
        #expect(font.advancePerMille(of: 3) == 600 && font.advancePerMille(of: 0) == 0)
        // Keeping only "B", a composite of "A", keeps "A"'s outline too; "ب" is left empty.
        let subset = font.subset(keeping: [2])
        func u16(_ at: Int) -> Int { Int(subset[at]) << 8 | Int(subset[at + 1]) }
        func u32(_ at: Int) -> Int { u16(at) << 16 | u16(at + 2) }
        let tags = (0..<u16(4)).map { String(decoding: subset[12 + 16 * $0..<16 + 16 * $0], as: UTF8.self) }
        let loca = u32(12 + 16 * tags.firstIndex(of: "loca")! + 8)
        let lengths = (0..<4).map { 2 * (u16(loca + 2 * $0 + 2) - u16(loca + 2 * $0)) }
        #expect(lengths[1] > 0 && lengths[2] > 0 && lengths[3] == 0)
    }

    // MARK: Shaping a line

    @Test func arabicLettersTakeTheirContextualFormsAndLamAlefBecomesOneGlyph() {
        // سلام: seen initial, lam-alef final (the lam joins the seen), meem isolated (alef does not join forward).
        #expect(LineShaping.joined(Array("سلام".unicodeScalars)) == Self.scalars([0xFEB3, 0xFEFC, 0xFEE1]))
        // بيت: beh initial, yeh medial, teh final.
        #expect(LineShaping.joined(Array("بيت".unicodeScalars)) == Self.scalars([0xFE91, 0xFEF4, 0xFE96]))
        // دار: dal and alef join only backwards: dal isolated, alef isolated (dal does not join forward), reh isolated.
        #expect(LineShaping.joined(Array("دار".unicodeScalars)) == Self.scalars([0xFEA9, 0xFE8D, 0xFEAD]))
        // A mark between two letters does not break the join.
        #expect(LineShaping.joined(Array("بَت".unicodeScalars)) == Self.scalars([0xFE91, 0x064E, 0xFE96]))
        // A lone lam-alef at the start is the isolated ligature.
        #expect(LineShaping.joined(Array("لا".unicodeScalars)) == Self.scalars([0xFEFB]))
        #expect(LineShaping.joined(Array("Ada".unicodeScalars)) == Array("Ada".unicodeScalars))
    }

    @Test func aRightToLeftLineIsReversedWithNumbersAndLatinWordsKeptLeftToRight() {
        // Paragraph of Arabic: beh, space, "12", space, jeem → drawn: jeem, space, 1, 2, space, beh.
        #expect(LineShaping.visual("ب 12 ج") == Self.scalars([0xFE9D, 0x20, 0x31, 0x32, 0x20, 0xFE8F]))
        #expect(LineShaping.isRightToLeft("ب 12 ج"))
        // A Latin username inside Arabic keeps its order; the Arabic around it is reversed.
        let line = String(String.UnicodeScalarView(LineShaping.visual("اسم ada")))
        #expect(line.hasPrefix("ada "))
        // A Latin line stays as it is, brackets included; an Arabic word inside it is reversed in place.
        #expect(LineShaping.visual("Class (A)") == Array("Class (A)".unicodeScalars))
        #expect(!LineShaping.isRightToLeft("Class (A)"))
        #expect(LineShaping.visual("to بيت now") == Self.scalars([0x74, 0x6F, 0x20, 0xFE96, 0xFEF4, 0xFE91, 0x20, 0x6E, 0x6F, 0x77]))
        // Brackets inside right-to-left text are mirrored, so they still open towards the text.
        #expect(LineShaping.visual("(ب)") == Self.scalars([0x28, 0xFE8F, 0x29]))
    }

    @Test func aDrawnGlyphMapsBackToTheLettersItStandsFor() {
        #expect(LineShaping.logical(Unicode.Scalar(0xFEFC)!) == Self.scalars([0x0644, 0x0627]))
        #expect(LineShaping.logical(Unicode.Scalar(0xFE91)!) == Self.scalars([0x0628]))
        #expect(LineShaping.logical("A") == ["A"])
    }

    // MARK: A PDF with embedded fonts

    @Test func aPageWithEmbeddedFontsWritesGlyphIdsAndEmbedsASubsetWithAToUnicodeMap() throws {
        let fonts = PDFDocument.EmbeddedFonts(regular: try Self.font(), bold: try Self.font("DejaVuSans-Bold.ttf"))
        var document = PDFDocument(title: "بطاقات")
        var page = PDFDocument.Page(width: 200, height: 100, fonts: fonts)
        page.text("لا Łukasz", x: 10, y: 50, size: 12)
        page.text("Ω", x: 10, y: 20, size: 12, font: .helveticaBold, rightEdge: 190)
        document.add(page)
        let bytes = document.bytes()
        let text = SignInCardTests.text(bytes)
        #expect(text.contains("/Subtype /Type0"))
        #expect(text.contains("/Encoding /Identity-H"))
        #expect(text.contains("/CIDToGIDMap /Identity"))
        #expect(text.contains("/FontFile2"))
        #expect(text.contains("+DejaVuSans /Encoding") && text.contains("+DejaVuSans-Bold /Encoding"))
        // The lam-alef ligature's glyph reads back as lam and alef.
        let ligature = try #require(fonts.regular.glyph(for: Unicode.Scalar(0xFEFB)!))
        let hex = String(decoding: PDFDocument.hex16(ligature), as: UTF8.self)
        #expect(text.contains("<\(hex)> <06440627>"))
        // The title is UTF-16 with its byte order mark.
        #expect(text.contains("/Title <FEFF0628"))
        // Right-aligned: the bold line ends at 190 points.
        let omega = try #require(fonts.bold.glyph(for: "Ω"))
        let start = 190 - Double(fonts.bold.advancePerMille(of: omega)) * 12 / 1000
        #expect(
            text.contains(" \(String(format: "%.2f", start).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)) 20 Td <"))
        // Every object's offset is exact, fonts included (catalog, pages, 2 fonts, page, content, info, 2 × 4).
        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        let lines = String(decoding: bytes[xrefOffset...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "0 16")
        for number in 1...15 {
            let offset = try #require(Int(lines[2 + number].prefix(10)))
            #expect(bytes[offset...].starts(with: Array("\(number) 0 obj\n".utf8)), "object \(number)")
        }
        #expect(bytes.count < 100_000)  // two subsets of about 40 kB each
    }

    @Test func embeddedFontsMeasureAndFitWithTheirOwnWidths() throws {
        let fonts = PDFDocument.EmbeddedFonts(regular: try Self.font(), bold: try Self.font("DejaVuSans-Bold.ttf"))
        let page = PDFDocument.Page(width: 100, height: 100, fonts: fonts)
        #expect(page.width(of: "مرحبا", size: 10) > 0)
        #expect(page.width(of: "mm", font: .helveticaBold, size: 10) > page.width(of: "mm", size: 10))
        let cut = page.fitted(String(repeating: "ب", count: 80), width: 60, size: 12, minimumSize: 6)
        #expect(cut.text.hasSuffix("…") && page.width(of: cut.text, size: cut.size) <= 60)
    }
}
