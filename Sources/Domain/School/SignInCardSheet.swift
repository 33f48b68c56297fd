/// Where sign-in cards go on printed pages: a grid of equal cards on A4 portrait, in PDF points (1/72 inch,
/// origin at the bottom left of the page, ISO 32000-1 §8.3.2.3), so every card lies whole on one page and
/// cutting along the dashed border gives cards of one size. The HTML cards page uses the same grid for its
/// print stylesheet.
public struct SignInCardSheet: Sendable, Equatable {
    /// A rectangle in points, `y` at its bottom edge.
    public struct Rect: Sendable, Equatable {
        public let x: Double
        public let y: Double
        public let width: Double
        public let height: Double

        public init(x: Double, y: Double, width: Double, height: Double) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }

        public var maxX: Double { x + width }
        public var maxY: Double { y + height }

        /// Whether `other` lies entirely inside this rectangle.
        public func contains(_ other: Rect) -> Bool {
            other.x >= x && other.y >= y && other.maxX <= maxX + 1e-9 && other.maxY <= maxY + 1e-9
        }

        /// Whether the two rectangles share any area.
        public func overlaps(_ other: Rect) -> Bool {
            other.x < maxX && x < other.maxX && other.y < maxY && y < other.maxY
        }
    }

    /// One card's place: its page (from 0), its rectangle, and the square kept free for the QR badge (item 3).
    public struct Placement: Sendable, Equatable {
        public let page: Int
        public let card: Rect
        public let qrSlot: Rect
    }

    /// A4 in points.
    public var pageWidth = 595.28
    public var pageHeight = 841.89
    /// The printer-safe margin around the grid.
    public var margin = 36.0
    /// Space between cards, for the scissors.
    public var gap = 14.0
    public var columns = 2
    public var rows = 4
    /// Space inside a card's border.
    public var padding = 12.0
    /// The side of the QR slot, bottom right inside the padding.
    public var qrSide = 72.0

    public init() {}

    public var cardsPerPage: Int { columns * rows }
    public var cardWidth: Double { (pageWidth - 2 * margin - Double(columns - 1) * gap) / Double(columns) }
    public var cardHeight: Double { (pageHeight - 2 * margin - Double(rows - 1) * gap) / Double(rows) }

    /// Pages needed for `count` cards; at least one (an empty class still prints a page saying so).
    public func pageCount(for count: Int) -> Int { max(1, (count + cardsPerPage - 1) / cardsPerPage) }

    /// The places of `count` cards, filled row by row from the top left of each page.
    public func placements(count: Int) -> [Placement] {
        (0..<max(0, count)).map { index in
            let slot = index % cardsPerPage
            let row = slot / columns
            let column = slot % columns
            let x = margin + Double(column) * (cardWidth + gap)
            let y = pageHeight - margin - Double(row + 1) * cardHeight - Double(row) * gap
            let card = Rect(x: x, y: y, width: cardWidth, height: cardHeight)
            let side = min(qrSide, cardHeight - 2 * padding)
            let qr = Rect(x: card.maxX - padding - side, y: card.y + padding, width: side, height: side)
            return Placement(page: index / cardsPerPage, card: card, qrSlot: qr)
        }
    }

    /// The width text beside the QR slot may take (the lower lines of a card).
    public var textWidthBesideQR: Double { cardWidth - 3 * padding - min(qrSide, cardHeight - 2 * padding) }
    /// The width text above the QR slot may take (the upper lines).
    public var textWidth: Double { cardWidth - 2 * padding }
}
