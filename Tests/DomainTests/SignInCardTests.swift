import Domain
import Foundation
import Testing

/// The sign-in cards' grid and the PDF writer that prints them.
@Suite struct SignInCardTests {
    let sheet = SignInCardSheet()

    @Test func eightCardsGoOnAnA4PageInTwoColumnsAndFourRows() {
        #expect(sheet.cardsPerPage == 8)
        #expect(sheet.pageCount(for: 0) == 1)
        #expect(sheet.pageCount(for: 8) == 1)
        #expect(sheet.pageCount(for: 9) == 2)
        #expect(sheet.pageCount(for: 30) == 4)
        #expect(abs(sheet.cardWidth - 254.64) < 0.01)
        #expect(abs(sheet.cardHeight - 181.9725) < 0.01)
    }

    @Test func everyCardLiesWholeInsideThePrintableAreaOfItsPageAndNoTwoOverlap() {
        let places = sheet.placements(count: 30)
        let printable = SignInCardSheet.Rect(
            x: sheet.margin, y: sheet.margin, width: sheet.pageWidth - 2 * sheet.margin, height: sheet.pageHeight - 2 * sheet.margin)
        #expect(places.map(\.page) == (0..<30).map { $0 / 8 })
        for place in places {
            #expect(printable.contains(place.card))
            #expect(place.card.contains(place.qrSlot))
        }
        for page in 0..<4 {
            let cards = places.filter { $0.page == page }.map(\.card)
            for (i, a) in cards.enumerated() {
                for b in cards[(i + 1)...] { #expect(!a.overlaps(b)) }
            }
        }
    }

    @Test func cardsFillRowsFromTheTopLeftWithTheGapBetweenThem() {
        let places = sheet.placements(count: 3)
        #expect(places[0].card.x == sheet.margin)
        #expect(abs(places[0].card.maxY - (sheet.pageHeight - sheet.margin)) < 1e-9)
        #expect(abs(places[1].card.x - (places[0].card.maxX + sheet.gap)) < 1e-9)
        #expect(places[1].card.y == places[0].card.y)
        #expect(places[2].card.x == sheet.margin)
        #expect(abs(places[0].card.y - (places[2].card.maxY + sheet.gap)) < 1e-9)
        let first = sheet.placements(count: 9)
        #expect(first[8].card == first[0].card)
        #expect(first[8].page == 1)
    }

    @Test func theQRSlotLeavesRoomForTheTextBesideIt() {
        let place = sheet.placements(count: 1)[0]
        #expect(place.qrSlot.width == sheet.qrSide)
        #expect(abs(place.qrSlot.maxX - (place.card.maxX - sheet.padding)) < 1e-9)
        #expect(place.card.x + sheet.padding + sheet.textWidthBesideQR <= place.qrSlot.x - sheet.padding + 1e-9)
    }

    @Test func aCardNeedsANameToSignInWithAndTheLinkNamesTheSchool() {
        let person = PersonSummary(
            id: UserID(3), role: .student, givenName: "Ada", familyName: "Lovelace", email: "ada@x.test", username: nil, gradeLevel: "7", active: true
        )
        #expect(SignInCard(person, temporaryPassword: nil)?.signInName == "ada@x.test")
        let nameless = PersonSummary(
            id: UserID(4), role: .student, givenName: "No", familyName: "Name", email: nil, username: nil, gradeLevel: nil, active: true)
        #expect(SignInCard(nameless, temporaryPassword: "x") == nil)
        #expect(
            SignInCard.signInLink(appURL: "https://app.example", schoolSourcedID: "north high") == "https://app.example/login?school=north%20high")
    }

    // MARK: The PDF writer

    /// The bytes as Latin-1 text, one character per byte.
    static func text(_ bytes: [UInt8]) -> String { String(bytes.map { Character(Unicode.Scalar($0)) }) }

    @Test func theCrossReferenceTableGivesEachObjectsExactOffset() throws {
        var document = PDFDocument(title: "Cards (test)")
        for index in 0..<3 {
            var page = PDFDocument.Page(width: 595.28, height: 841.89)
            page.text("Page \(index + 1)", x: 36, y: 800, size: 12)
            page.rectangle(x: 36, y: 36, width: 100, height: 50, dash: [4, 3])
            page.line(fromX: 0, fromY: 0, toX: 10, toY: 10)
            document.add(page)
        }
        let bytes = document.bytes()
        let text = Self.text(bytes)
        #expect(text.hasPrefix("%PDF-1.4\n%"))
        #expect(text.hasSuffix("%%EOF\n"))
        let startxref = try #require(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try #require(Int(text[startxref.upperBound...].prefix { $0.isNumber }))
        // Offsets count bytes: the second line's four high bytes are one byte each.
        #expect(bytes[xrefOffset...].starts(with: Array("xref\n".utf8)))
        let lines = String(decoding: bytes[xrefOffset...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "0 12")  // catalog, pages, 2 fonts, 3 × (page + content), info; plus object 0
        #expect(lines[2] == "0000000000 65535 f ")
        for number in 1...11 {
            let entry = lines[2 + number]
            #expect(entry.count == 19)  // 20 bytes with its newline
            let offset = try #require(Int(entry.prefix(10)))
            #expect(bytes[offset...].starts(with: Array("\(number) 0 obj\n".utf8)), "object \(number)")
        }
        #expect(text.contains("/Title (Cards \\(test\\))"))
        #expect(text.contains("/Count 3"))
    }

    @Test func streamLengthsCountBytesAndTextIsWinAnsi() throws {
        var document = PDFDocument(title: "t")
        var page = PDFDocument.Page(width: 100, height: 100)
        page.text("Zoë (a\\b) – 日本", x: 1.5, y: 2.25, size: 10, font: .helveticaBold)
        document.add(page)
        let bytes = document.bytes()
        let text = Self.text(bytes)
        #expect(bytes.contains(0xEB))  // ë
        #expect(bytes.contains(0x96))  // en dash
        #expect(text.contains("(Zo\u{EB} \\(a\\\\b\\) \u{96} ??) Tj"))
        #expect(text.contains("/F2 10 Tf 0 g 1.5 2.25 Td"))
        let header = try #require(text.range(of: "<< /Length "))
        let length = try #require(Int(text[header.upperBound...].prefix { $0.isNumber }))
        let start = try #require(text.range(of: "stream\n", range: header.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\nendstream", range: start.upperBound..<text.endIndex))
        #expect(text[start.upperBound..<end.lowerBound].unicodeScalars.count == length)
    }

    @Test func numbersHaveAtMostTwoDecimalsAndNoExponent() {
        var page = PDFDocument.Page(width: 100, height: 100)
        page.rectangle(x: -0.004, y: 1e-7, width: 1234567.891, height: 0.1)
        var document = PDFDocument(title: "n")
        document.add(page)
        #expect(Self.text(document.bytes()).contains("0 0 1234567.89 0.1 re S"))
    }

    @Test func textIsFittedBySizeThenCut() {
        let font = PDFDocument.Font.helvetica
        #expect(font.width(of: "ab", size: 10) == 11.12)
        let fits = font.fitted("short", width: 100, size: 12, minimumSize: 6)
        #expect(fits.text == "short" && fits.size == 12)
        let smaller = font.fitted(String(repeating: "m", count: 12), width: 80, size: 12, minimumSize: 6)
        #expect(smaller.text.count == 12 && smaller.size < 12 && font.width(of: smaller.text, size: smaller.size) <= 80)
        let cut = font.fitted(String(repeating: "m", count: 100), width: 80, size: 12, minimumSize: 6)
        #expect(cut.text.hasSuffix("…") && cut.size == 6 && font.width(of: cut.text, size: 6) <= 80)
        // The longest prefix that fits: one more character would not.
        #expect(font.width(of: String(repeating: "m", count: cut.text.count) + "…", size: 6) > 80)
    }
}
