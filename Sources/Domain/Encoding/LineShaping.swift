/// One line of text made ready for a font without a shaping engine (a PDF written by ``PDFDocument``): Arabic letters
/// replaced by their contextual forms, and the line put in visual order, left to right as it is drawn.
///
/// - **Joining** (The Unicode Standard, §9.2 "Arabic", cursive joining): each Arabic letter takes its isolated,
///   final, initial or medial form from Arabic Presentation Forms-B (U+FE70–U+FEFF) by whether its neighbours join
///   it; harakat and other marks are transparent; lam followed by an alef becomes one of the four lam-alef ligatures.
/// - **Order** (UAX #9, for one line with no explicit embeddings): the paragraph's direction is its first strong
///   character's; runs of right-to-left letters, with the spaces and punctuation between them, are reversed; numbers
///   and left-to-right words inside right-to-left text stay left to right; in a right-to-left line the run order is
///   reversed and brackets are mirrored.
///
/// That covers names, labels and links on a sign-in card; it is not a full bidi implementation (no embeddings or
/// isolates), and no Arabic font used here needs more than the presentation forms.
public enum LineShaping {
    /// The line in visual order with Arabic in its contextual forms.
    public static func visual(_ text: String) -> [Unicode.Scalar] {
        reorder(joined(Array(text.unicodeScalars)))
    }

    /// Whether the line has any right-to-left letter (so it is typeset from the right).
    public static func isRightToLeft(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch strength(of: scalar) {
            case .right: return true
            case .left: return false
            default: continue
            }
        }
        return false
    }

    /// The characters a drawn scalar stands for: a presentation form's letter (a lam-alef ligature's two), else
    /// itself. A PDF's `ToUnicode` map uses it, so copied or read-aloud text is ordinary Arabic.
    public static func logical(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if let letters = baseLetters[scalar.value] { return letters.compactMap(Unicode.Scalar.init) }
        return [scalar]
    }

    private static let baseLetters: [UInt32: [UInt32]] = {
        var table: [UInt32: [UInt32]] = [:]
        for (letter, form) in forms {
            for offset in 0..<UInt32(form.count) { table[form.isolated + offset] = [letter] }
        }
        for (alef, ligature) in lamAlef {
            table[ligature] = [lam, alef]
            table[ligature + 1] = [lam, alef]
        }
        return table
    }()

    // MARK: - Joining

    /// A letter's forms in Presentation Forms-B: the isolated form's scalar and how many forms follow it
    /// (2: isolated, final — a right-joining letter; 4: isolated, final, initial, medial — a dual-joining one;
    /// 1: isolated only).
    private static let forms: [UInt32: (isolated: UInt32, count: Int)] = {
        var table: [UInt32: (UInt32, Int)] = [0x0621: (0xFE80, 1)]
        // U+0622 to U+064A in order, with the number of forms each has; the presentation forms follow the same order.
        let counts: [(UInt32, Int)] = [
            (0x0622, 2), (0x0623, 2), (0x0624, 2), (0x0625, 2), (0x0626, 4), (0x0627, 2), (0x0628, 4), (0x0629, 2),
            (0x062A, 4), (0x062B, 4), (0x062C, 4), (0x062D, 4), (0x062E, 4), (0x062F, 2), (0x0630, 2), (0x0631, 2),
            (0x0632, 2), (0x0633, 4), (0x0634, 4), (0x0635, 4), (0x0636, 4), (0x0637, 4), (0x0638, 4), (0x0639, 4),
            (0x063A, 4), (0x0641, 4), (0x0642, 4), (0x0643, 4), (0x0644, 4), (0x0645, 4), (0x0646, 4), (0x0647, 4),
            (0x0648, 2), (0x0649, 2), (0x064A, 4),
        ]
        var next: UInt32 = 0xFE81
        for (letter, count) in counts {
            table[letter] = (next, count)
            next += UInt32(count)
        }
        return table
    }()

    /// Lam-alef ligatures: the alef's scalar to the ligature's isolated form (its final form is the next scalar).
    private static let lamAlef: [UInt32: UInt32] = [0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB]
    private static let lam: UInt32 = 0x0644
    private static let tatweel: UInt32 = 0x0640

    /// Marks that do not break or take part in joining (harakat, superscript alef, Quranic marks).
    private static func isTransparent(_ value: UInt32) -> Bool {
        (0x064B...0x065F).contains(value) || value == 0x0670 || (0x06D6...0x06ED).contains(value)
    }

    /// Whether a letter connects to the letter after it (dual-joining letters and the tatweel).
    private static func joinsForward(_ value: UInt32) -> Bool { value == tatweel || forms[value]?.count == 4 }

    /// Whether a letter connects to the letter before it.
    private static func joinsBackward(_ value: UInt32) -> Bool { value == tatweel || (forms[value]?.count ?? 1) >= 2 }

    static func joined(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let values = scalars.map(\.value)
        // The nearest non-transparent neighbour on each side, found in two passes (a run of marks costs no rescans).
        var previous = [Int?](repeating: nil, count: values.count)
        var next = [Int?](repeating: nil, count: values.count)
        var last: Int?
        for index in values.indices {
            previous[index] = last
            if !isTransparent(values[index]) { last = index }
        }
        last = nil
        for index in values.indices.reversed() {
            next[index] = last
            if !isTransparent(values[index]) { last = index }
        }
        func neighbour(_ index: Int, _ step: Int) -> (index: Int, value: UInt32)? {
            (step < 0 ? previous[index] : next[index]).map { ($0, values[$0]) }
        }
        var out: [Unicode.Scalar] = []
        var skipThrough = -1
        for (index, value) in values.enumerated() {
            if index <= skipThrough { continue }
            let joinsPrevious = neighbour(index, -1).map { joinsForward($0.value) } ?? false
            let after = neighbour(index, 1)
            if value == lam, let after, let ligature = lamAlef[after.value] {
                out.append(Unicode.Scalar(joinsPrevious ? ligature + 1 : ligature)!)
                // Marks between the lam and the alef stay, after the ligature.
                for mark in index + 1..<after.index { out.append(scalars[mark]) }
                skipThrough = after.index
                continue
            }
            guard let letter = forms[value] else {
                out.append(scalars[index])
                continue
            }
            let joinsNext = letter.count == 4 && (after.map { joinsBackward($0.value) } ?? false)
            let form: UInt32
            switch (joinsPrevious && letter.count >= 2, joinsNext) {
            case (true, true): form = 3  // medial
            case (false, true): form = 2  // initial
            case (true, false): form = 1  // final
            case (false, false): form = 0  // isolated
            }
            out.append(Unicode.Scalar(letter.isolated + form)!)
        }
        return out
    }

    // MARK: - Order

    private enum Strength { case left, right, number, neutral }

    private static func strength(of scalar: Unicode.Scalar) -> Strength {
        let value = scalar.value
        if (0x0590...0x08FF).contains(value) || (0xFB1D...0xFDFF).contains(value) || (0xFE70...0xFEFF).contains(value) {
            if (0x0660...0x0669).contains(value) || (0x06F0...0x06F9).contains(value) { return .number }
            return isTransparent(value) ? .neutral : .right
        }
        if ("0"..."9").contains(scalar) { return .number }
        return scalar.properties.isAlphabetic ? .left : .neutral
    }

    private static let mirrored: [UInt32: UInt32] = [
        0x28: 0x29, 0x29: 0x28, 0x3C: 0x3E, 0x3E: 0x3C, 0x5B: 0x5D, 0x5D: 0x5B, 0x7B: 0x7D, 0x7D: 0x7B, 0xAB: 0xBB, 0xBB: 0xAB,
    ]

    static func reorder(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let strengths = scalars.map(strength)
        let rightToLeft = strengths.first { $0 == .left || $0 == .right } == .right
        // Levels: 0 left-to-right, 1 right-to-left, 2 left-to-right inside right-to-left.
        var levels = [Int](repeating: rightToLeft ? 1 : 0, count: scalars.count)
        var lastStrong: Strength = rightToLeft ? .right : .left
        for (index, kind) in strengths.enumerated() {
            switch kind {
            case .left:
                levels[index] = rightToLeft ? 2 : 0
                lastStrong = .left
            case .right:
                levels[index] = 1
                lastStrong = .right
            case .number:
                // A number takes the left-to-right level above the text it is in.
                levels[index] = lastStrong == .right || rightToLeft ? 2 : 0
            case .neutral:
                levels[index] = -1
            }
        }
        // A neutral run between two characters of one direction takes it; otherwise the paragraph's.
        var index = 0
        while index < levels.count {
            guard levels[index] == -1 else {
                index += 1
                continue
            }
            var end = index
            while end < levels.count, levels[end] == -1 { end += 1 }
            let before = index > 0 ? levels[index - 1] : (rightToLeft ? 1 : 0)
            let after = end < levels.count ? levels[end] : (rightToLeft ? 1 : 0)
            let odd = { (level: Int) in level % 2 == 1 }
            let level = odd(before) == odd(after) ? (odd(before) ? 1 : (rightToLeft ? 2 : 0)) : (rightToLeft ? 1 : 0)
            for at in index..<end { levels[at] = level }
            index = end
        }
        // Trailing spaces go to the paragraph level (UAX #9 L1), so they stay at the line's end.
        var trailing = scalars.count
        while trailing > 0, scalars[trailing - 1].properties.isWhitespace {
            trailing -= 1
            levels[trailing] = rightToLeft ? 1 : 0
        }
        // L2: from the highest level down to 1, reverse every run at that level or above.
        var out = scalars
        var outLevels = levels
        for level in stride(from: outLevels.max() ?? 0, through: 1, by: -1) {
            var start = 0
            while start < out.count {
                guard outLevels[start] >= level else {
                    start += 1
                    continue
                }
                var end = start
                while end < out.count, outLevels[end] >= level { end += 1 }
                out[start..<end].reverse()
                outLevels[start..<end].reverse()
                start = end
            }
        }
        // L4: characters at an odd level are drawn mirrored.
        return zip(out, outLevels).map { scalar, level in
            level % 2 == 1 ? mirrored[scalar.value].flatMap(Unicode.Scalar.init) ?? scalar : scalar
        }
    }
}
