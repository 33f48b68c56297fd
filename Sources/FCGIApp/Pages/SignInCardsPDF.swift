import Domain
import Foundation
import Native

/// The sign-in cards as a PDF (issue 16, item 2): the same cards as ``SignInCardPages``, placed by
/// ``SignInCardSheet`` and written by ``PDFDocument``, with a dashed cutting border and the QR badge's square left
/// free.
enum SignInCardsPDF {
    static func render(group: SignInCardPages.Group, cards: [SignInCard], sheet: SignInCardSheet = SignInCardSheet()) -> [UInt8] {
        // The PDF's standard fonts write Latin text only (WinAnsiEncoding): a page in a language of another script
        // (Arabic) gets English cards.
        guard L("cards.own_password").canBeConverted(to: .windowsCP1252) else {
            let english = PageLanguage(
                translations: PageLanguage.current?.translations ?? .installed, returnPath: { "/" }, cookie: nil, acceptLanguage: nil)
            english.choose(Translations.source)
            return PageLanguage.$current.withValue(english) { cardsPDF(group: group, cards: cards, sheet: sheet) }
        }
        return cardsPDF(group: group, cards: cards, sheet: sheet)
    }

    private static func cardsPDF(group: SignInCardPages.Group, cards: [SignInCard], sheet: SignInCardSheet) -> [UInt8] {
        var document = PDFDocument(title: L("cards.title", ["group": group.title]))
        var pages = (0..<sheet.pageCount(for: cards.count)).map { _ in PDFDocument.Page(width: sheet.pageWidth, height: sheet.pageHeight) }
        if cards.isEmpty {
            pages[0].text(
                L("cards.pdf.none", ["group": group.title]), x: sheet.margin,
                y: sheet.pageHeight - sheet.margin - 14, size: 12)
        }
        for (card, place) in zip(cards, sheet.placements(count: cards.count)) {
            draw(card, in: place, group: group, sheet: sheet, on: &pages[place.page])
        }
        for page in pages { document.add(page) }
        return document.bytes()
    }

    private static func draw(
        _ card: SignInCard, in place: SignInCardSheet.Placement, group: SignInCardPages.Group, sheet: SignInCardSheet,
        on page: inout PDFDocument.Page
    ) {
        let box = place.card
        page.rectangle(x: box.x, y: box.y, width: box.width, height: box.height, lineWidth: 0.6, grey: 0.55, dash: [4, 3])
        let left = box.x + sheet.padding
        let top = box.maxY - sheet.padding
        func line(_ text: String, _ y: Double, size: Double, font: PDFDocument.Font = .helvetica, grey: Double = 0, width: Double) {
            let fitted = font.fitted(text, width: width, size: size, minimumSize: max(5, size - 6))
            page.text(fitted.text, x: left, y: y, size: fitted.size, font: font, grey: grey)
        }
        line(group.schoolName, top - 8, size: 8, grey: 0.35, width: sheet.textWidth)
        line(card.name, top - 27, size: 14, font: .helveticaBold, width: sheet.textWidth)
        line(L("cards.sign_in_at"), top - 44, size: 7, grey: 0.4, width: sheet.textWidth)
        line(group.signInLink, top - 55, size: 9, width: sheet.textWidth)
        line(L("cards.username"), top - 74, size: 7, grey: 0.4, width: sheet.textWidthBesideQR)
        line(card.signInName, top - 88, size: 12, font: .helveticaBold, width: sheet.textWidthBesideQR)
        line(L("cards.password"), top - 107, size: 7, grey: 0.4, width: sheet.textWidthBesideQR)
        if let password = card.temporaryPassword {
            line(password, top - 123, size: 14, font: .helveticaBold, width: sheet.textWidthBesideQR)
        } else {
            line(L("cards.own_password"), top - 121, size: 10, grey: 0.4, width: sheet.textWidthBesideQR)
        }
        let slot = place.qrSlot
        switch card.badge {
        case .none:
            break
        case .unchanged:
            page.text(L("cards.pdf.unchanged1"), x: slot.x, y: slot.y + slot.height / 2 + 4, size: 6.5, grey: 0.4)
            page.text(L("cards.pdf.unchanged2"), x: slot.x, y: slot.y + slot.height / 2 - 4, size: 6.5, grey: 0.4)
        case .new(let link):
            guard let code = try? QRCode(encoding: link) else { break }
            // Four modules of quiet zone on each side (ISO/IEC 18004 §6.3.8), inside the slot.
            let module = (slot.width / Double(code.width + 8) * 100).rounded(.down) / 100
            let origin = (x: slot.x + (slot.width - module * Double(code.width)) / 2, y: slot.maxY - (slot.height - module * Double(code.width)) / 2)
            var corners: [(x: Double, y: Double)] = []
            for y in 0..<code.width {
                for x in 0..<code.width where code.isDark(x: x, y: y) {
                    corners.append((origin.x + Double(x) * module, origin.y - Double(y + 1) * module))
                }
            }
            page.fillSquares(corners, side: module)
        }
    }
}
