import Domain

/// The sign-in cards as a PDF (issue 16, item 2): the same cards as ``SignInCardPages``, placed by
/// ``SignInCardSheet`` and written by ``PDFDocument``, with a dashed cutting border and the QR badge's square left
/// free.
enum SignInCardsPDF {
    static func render(group: SignInCardPages.Group, cards: [SignInCard], sheet: SignInCardSheet = SignInCardSheet()) -> [UInt8] {
        var document = PDFDocument(title: "Sign-in cards · \(group.title)")
        var pages = (0..<sheet.pageCount(for: cards.count)).map { _ in PDFDocument.Page(width: sheet.pageWidth, height: sheet.pageHeight) }
        if cards.isEmpty {
            pages[0].text(
                "No student of \(group.title) has a username or email address to sign in with.", x: sheet.margin,
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
        line("Sign in at", top - 44, size: 7, grey: 0.4, width: sheet.textWidth)
        line(group.signInLink, top - 55, size: 9, width: sheet.textWidth)
        line("Username", top - 74, size: 7, grey: 0.4, width: sheet.textWidthBesideQR)
        line(card.signInName, top - 88, size: 12, font: .helveticaBold, width: sheet.textWidthBesideQR)
        line("Password", top - 107, size: 7, grey: 0.4, width: sheet.textWidthBesideQR)
        if let password = card.temporaryPassword {
            line(password, top - 123, size: 14, font: .helveticaBold, width: sheet.textWidthBesideQR)
        } else {
            line("Your own password", top - 121, size: 10, grey: 0.4, width: sheet.textWidthBesideQR)
        }
    }
}
