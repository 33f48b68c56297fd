/// A camera frame the badge page sends for reading (issue 16, item 3): grey pixels, one byte each, row by row,
/// at most ``maxSide`` on a side. The page scales its video down before sending, so a frame is at most
/// 640 × 640 = 400 KiB, and the server reads pixels, never an image file format.
public struct BadgeFrame: Sendable, Equatable {
    /// Why a frame is refused (the page's script never sends such a frame; a hand-made request may).
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case size
        case length(expected: Int, got: Int)

        public var description: String {
            switch self {
            case .size: "The frame's width and height must be whole numbers from \(BadgeFrame.minSide) to \(BadgeFrame.maxSide)."
            case .length(let expected, let got): "The frame must have width × height = \(expected) bytes of grey pixels; it has \(got)."
            }
        }
    }

    /// The largest width or height accepted.
    public static let maxSide = 640
    /// The smallest: a QR code needs at least 21 modules and a quiet zone.
    public static let minSide = 32

    public let width: Int
    public let height: Int
    public let luminance: [UInt8]

    /// A frame from the request's `w` and `h` and its body; throws ``Refusal``.
    public init(width: String?, height: String?, body: [UInt8]) throws(Refusal) {
        guard let width = width.flatMap(Self.side), let height = height.flatMap(Self.side) else { throw .size }
        guard body.count == width * height else { throw .length(expected: width * height, got: body.count) }
        self.width = width
        self.height = height
        self.luminance = body
    }

    private static func side(_ text: String) -> Int? {
        guard text.utf8.count <= 4, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
            (minSide...maxSide).contains(value)
        else { return nil }
        return value
    }
}

/// What the QR codes read from one camera frame amount to: the page keeps scanning, stops with a message, or
/// signs in with the badge's secret.
public enum BadgeScan: Sendable, Equatable {
    /// No QR code in the frame: scan the next one.
    case nothing
    /// QR codes, none a badge of this site (a code from a cereal box, or a badge of another installation).
    case notABadge
    /// Two or more different badges in view at once: which one is meant cannot be told.
    case several
    /// Exactly one badge.
    case badge(BadgeSecret)

    /// The outcome for the `texts` a frame held, a badge being a link `<appURL>/login/badge#<secret>` of this site.
    public init(texts: [String], appURL: String) {
        var secrets: [BadgeSecret] = []
        for text in texts {
            guard let secret = BadgeSecret(link: text, appURL: appURL) else { continue }
            if !secrets.contains(secret) { secrets.append(secret) }
        }
        switch secrets.count {
        case 0: self = texts.isEmpty ? .nothing : .notABadge
        case 1: self = .badge(secrets[0])
        default: self = .several
        }
    }
}

extension BadgeSecret {
    /// The secret of a badge link printed by this site (``link(appURL:)``); `nil` for any other text.
    public init?(link: String, appURL: String) {
        var base = appURL
        while base.hasSuffix("/") { base.removeLast() }
        let prefix = base + "/login/badge#"
        guard link.utf8.count == prefix.utf8.count + Self.textLength, link.hasPrefix(prefix) else { return nil }
        self.init(submitted: String(link.dropFirst(prefix.count)))
    }
}
