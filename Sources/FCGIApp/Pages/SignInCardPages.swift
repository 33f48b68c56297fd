import Domain
import Foundation
import Native

/// The printable sign-in cards of a class or grade level (issue 16, item 2): one card per student in a grid
/// (``SignInCardSheet``'s, in centimetres), with a print stylesheet that hides everything else and never breaks a
/// card across pages.
enum SignInCardPages {
    /// What the page is about, and where its forms go.
    struct Group {
        /// "Mathematics 10A", "Grade 7".
        let title: String
        let schoolName: String
        let signInLink: String
        /// The page of the group's cards (GET), and the form that generates passwords (POST); `nil` for a group
        /// that has no page of its own (a grade level: its form is on the Passwords page).
        let cardsPath: String?
        let back: PasswordResetPages.Back
    }

    /// The cards page. `generated`: the cards hold passwords just generated (shown once; `pdf` is the same cards as
    /// a PDF, embedded as a download link since it can never be made again); otherwise the form to generate them.
    static func page(session: SignedIn, group: Group, cards: [SignInCard], generated: (mustChange: Bool, pdf: [UInt8])?) -> HTML {
        let intro: HTML
        let newBadges = cards.filter { if case .new = $0.badge { true } else { false } }.count
        let unchangedBadges = cards.filter { $0.badge == .unchanged }.count
        if let generated {
            let link = "data:application/pdf;base64," + Data(generated.pdf).base64EncodedString()
            let passwords = cards.filter { $0.temporaryPassword != nil }.count
            let badgeNote: HTML =
                newBadges == 0 && unchangedBadges == 0
                ? ""
                : " <span id=\"badges-generated\">\(L("cards.badges_generated", count: newBadges))\(unchangedBadges > 0 ? "; " + L("cards.badges_unchanged", count: unchangedBadges) : "").</span>"
            intro = """
                <div class="no-print">
                <p class="notice ok" role="status" id="generated">\(passwords > 0 ? L("cards.new_passwords", count: passwords) : "") \(L("cards.shown_once"))\(generated.mustChange && passwords > 0 ? " " + L("cards.choose_own") : "")\(badgeNote)</p>
                <p><a class="button" id="cards-pdf" download="sign-in-cards.pdf" href="\(link)">\(L("cards.download_pdf"))</a></p>
                </div>
                """
        } else if let path = group.cardsPath {
            intro = """
                <div class="no-print">
                <p>\(LH("cards.without_passwords", ["every": "<b>\(L("passwords.every"))</b>", "count": "\(SchoolAdminPages.number(cards.count))"]))</p>
                <form class="stack" id="generate-cards" method="post" action="\(path)">\(Layout.csrfField(session.csrf))
                <p>\(L("cards.badge_note"))</p>
                <label class="check"><input type="checkbox" name="new_badges" value="1" id="new-badges"> \(L("cards.new_badges"))</label>
                <p><button type="submit" name="format" value="html">\(L("cards.generate_show"))</button>
                <button class="secondary" type="submit" name="format" value="pdf">\(L("passwords.pdf_cards"))</button></p>
                </form>
                <p><a href="\(path).pdf" id="cards-pdf">\(L("cards.pdf_link"))</a> \(L("cards.pdf_without"))</p>
                </div>
                """
        } else {
            intro = ""
        }
        return Layout.page(
            title: L("cards.title", ["group": group.title]), session: session,
            """
            <div class="no-print"><p><a href="\(group.back.href)">← \(group.back.label)</a></p>
            <h1>\(L("cards.title", ["group": group.title]))</h1></div>
            \(intro)
            \(cards.isEmpty ? "<p class=\"muted\" id=\"no-cards\">\(L("cards.none"))</p>" as HTML : "")
            <section class="sign-in-cards" id="cards">\(cards.map { card(group: group, card: $0) })</section>
            """)
    }

    /// One card. The empty `.card-qr` element is the slot the QR badge (issue 16, item 3) fills.
    static func card(group: Group, card: SignInCard) -> HTML {
        let password: HTML =
            card.temporaryPassword.map { "<dd class=\"card-password\"><code>\($0)</code></dd>" as HTML }
            ?? "<dd class=\"card-password muted\">\(L("cards.own_password"))</dd>"
        return """
            <article class="sign-in-card" data-user-id="\(card.person)">
            <p class="card-school">\(group.schoolName)</p>
            <h2 class="card-name">\(card.name)</h2>
            <dl><dt>\(L("cards.sign_in_at"))</dt><dd class="card-link">\(group.signInLink)</dd>
            <dt>\(L("cards.username"))</dt><dd class="card-username">\(card.signInName)</dd>
            <dt>\(L("cards.password"))</dt>\(password)</dl>
            \(badgeSlot(card.badge))
            </article>
            """
    }

    /// The card's QR slot: the badge's code when it was made just now, a note when the person has an older badge.
    static func badgeSlot(_ badge: SignInCard.Badge) -> HTML {
        switch badge {
        case .none:
            return "<div class=\"card-qr\" data-qr-slot=\"badge\" aria-hidden=\"true\"></div>"
        case .unchanged:
            return """
                <div class="card-qr card-qr-unchanged" data-qr-slot="badge" data-badge="unchanged"><p class="muted">\(L("cards.badge_unchanged"))</p></div>
                """
        case .new(let link):
            guard let code = try? QRCode(encoding: link) else {
                return "<div class=\"card-qr\" data-qr-slot=\"badge\"><p>\(L("cards.qr_failed"))</p></div>"
            }
            let size = code.width + 8
            var path = ""
            for y in 0..<code.width {
                for x in 0..<code.width where code.isDark(x: x, y: y) { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
            }
            let label = HTML.escape(L("cards.qr_label"))
            // The link is the badge's secret: it is only in the drawing, never as text or an attribute a script could copy.
            return HTML(
                unsafeRaw: """
                    <div class="card-qr" data-qr-slot="badge" data-badge="new"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" role="img" aria-label="\(label)" shape-rendering="crispEdges" class="badge-qr"><rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg></div>
                    """)
        }
    }
}
