/// A TrueType font read from its bytes (the OpenType `glyf` flavour, as Debian's `fonts-dejavu-core` ships), enough
/// to typeset a line of text in a PDF and to embed a subset of it:
/// - the character-to-glyph map (`cmap` formats 4 and 12, Unicode subtables), the advance widths (`hhea`, `hmtx`),
///   the metrics a PDF font descriptor names (`head`, `hhea`, `OS/2`), and the PostScript name (`name`);
/// - ``subset(keeping:)``: the same font with every glyph outline not asked for left empty, so glyph ids stay the
///   same (a PDF's `/CIDToGIDMap /Identity` needs no renumbering) and the file shrinks from about 700 kB to a few.
///
/// Every offset and length is checked against the file before it is read: a truncated or hostile file is a
/// ``Failure``, never a crash. Tables are found by the table directory (OpenType spec, "Font file").
public struct TrueTypeFont: Sendable {
    /// Why a file is not a usable TrueType font.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The file's bytes.
    public let bytes: [UInt8]
    /// The design units per em (`head.unitsPerEm`).
    public let unitsPerEm: Int
    /// The PostScript name (name id 6), else "Embedded".
    public let postScriptName: String
    /// `head`'s bounding box of all glyphs, in design units: xMin, yMin, xMax, yMax.
    public let boundingBox: [Int]
    /// Ascender and descender (`hhea`), cap height (`OS/2` version 2 and later, else the ascender), in design units.
    public let ascent: Int
    public let descent: Int
    public let capHeight: Int
    /// Whether `OS/2` or `head` marks the face bold.
    public let isBold: Bool

    private let tables: [String: Range<Int>]
    private let glyphCount: Int
    private let advances: [UInt16]
    private let glyphsByScalar: [UInt32: UInt16]
    private let longOffsets: Bool

    public init(bytes: [UInt8]) throws(Failure) {
        self.bytes = bytes
        let reader = Reader(bytes)
        guard let version = reader.u32(0), version == 0x0001_0000 || version == 0x7472_7565 else {
            throw Failure("not a TrueType font (the file's version is not 1.0 or 'true')")
        }
        guard let tableCount = reader.u16(4) else { throw Failure("the table directory is cut off") }
        var tables: [String: Range<Int>] = [:]
        for index in 0..<Int(tableCount) {
            let record = 12 + 16 * index
            guard let tag = reader.tag(record), let offset = reader.u32(record + 8), let length = reader.u32(record + 12),
                Int(offset) + Int(length) <= bytes.count
            else { throw Failure("table record \(index) is cut off or points outside the file") }
            tables[tag] = Int(offset)..<Int(offset) + Int(length)
        }
        for required in ["head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"] where tables[required] == nil {
            throw Failure("the '\(required)' table is missing (a CFF-flavoured or incomplete font)")
        }
        self.tables = tables
        let head = tables["head"]!.lowerBound
        let hhea = tables["hhea"]!.lowerBound
        guard let unitsPerEm = reader.u16(head + 18), (16...16384).contains(unitsPerEm),
            let xMin = reader.i16(head + 36), let yMin = reader.i16(head + 38), let xMax = reader.i16(head + 40),
            let yMax = reader.i16(head + 42), let macStyle = reader.u16(head + 44), let locFormat = reader.i16(head + 50),
            let glyphCount = reader.u16(tables["maxp"]!.lowerBound + 4), glyphCount > 0,
            let ascent = reader.i16(hhea + 4), let descent = reader.i16(hhea + 6), let metricCount = reader.u16(hhea + 34),
            metricCount > 0, metricCount <= glyphCount
        else { throw Failure("the 'head', 'hhea' or 'maxp' table is cut off or out of range") }
        self.unitsPerEm = Int(unitsPerEm)
        boundingBox = [Int(xMin), Int(yMin), Int(xMax), Int(yMax)]
        self.ascent = Int(ascent)
        self.descent = Int(descent)
        self.glyphCount = Int(glyphCount)
        longOffsets = locFormat == 1
        guard tables["loca"]!.count >= (Int(glyphCount) + 1) * (longOffsets ? 4 : 2) else {
            throw Failure("the 'loca' table is shorter than the glyph count")
        }

        // Widths: the long metrics, then the last advance repeated for the remaining glyphs.
        let hmtx = tables["hmtx"]!
        guard hmtx.count >= 4 * Int(metricCount) else { throw Failure("the 'hmtx' table is shorter than 'hhea' says") }
        var advances = (0..<Int(metricCount)).map { reader.u16(hmtx.lowerBound + 4 * $0) ?? 0 }
        advances += Array(repeating: advances.last ?? 0, count: Int(glyphCount) - Int(metricCount))
        self.advances = advances

        var capHeight = Int(ascent)
        var bold = macStyle & 1 != 0
        if let os2 = tables["OS/2"]?.lowerBound, let os2Version = reader.u16(os2) {
            if let selection = reader.u16(os2 + 62), selection & 0x20 != 0 { bold = true }
            if os2Version >= 2, let height = reader.i16(os2 + 88), height > 0 { capHeight = Int(height) }
        }
        self.capHeight = capHeight
        isBold = bold
        postScriptName = Self.postScriptName(reader, tables["name"]) ?? "Embedded"
        glyphsByScalar = try Self.characterMap(reader, tables["cmap"]!, glyphCount: Int(glyphCount))
    }

    /// The glyph that draws `scalar`, if the font has one (glyph 0, `.notdef`, is never answered).
    public func glyph(for scalar: Unicode.Scalar) -> UInt16? { glyphsByScalar[scalar.value] }

    /// A glyph's advance width in design units (0 for an id past the font's glyphs).
    public func advance(of glyph: UInt16) -> Int { Int(glyph) < advances.count ? Int(advances[Int(glyph)]) : 0 }

    /// A glyph's advance in thousandths of the em, as a PDF's `/W` array and text widths use them.
    public func advancePerMille(of glyph: UInt16) -> Int { (advance(of: glyph) * 1000 + unitsPerEm / 2) / unitsPerEm }

    /// The font with only `glyphs` (and glyph 0, and the components their composite outlines use) keeping their
    /// outlines; every other glyph is left empty. Glyph ids, metrics and hinting tables stay as they are. The tables
    /// a PDF reader needs of an embedded TrueType font are kept (ISO 32000-1 §9.9: `head`, `hhea`, `loca`, `maxp`,
    /// `cvt `, `prep`, `glyf`, `hmtx`, `fpgm`); the others are dropped.
    public func subset(keeping glyphs: Set<UInt16>) -> [UInt8] {
        let reader = Reader(bytes)
        let glyf = tables["glyf"]!
        let loca = tables["loca"]!.lowerBound
        func outline(_ glyph: Int) -> Range<Int>? {
            guard glyph < glyphCount else { return nil }
            let start: Int?
            let end: Int?
            if longOffsets {
                start = reader.u32(loca + 4 * glyph).map(Int.init)
                end = reader.u32(loca + 4 * glyph + 4).map(Int.init)
            } else {
                start = reader.u16(loca + 2 * glyph).map { Int($0) * 2 }
                end = reader.u16(loca + 2 * glyph + 2).map { Int($0) * 2 }
            }
            guard let start, let end, start <= end, glyf.lowerBound + end <= glyf.upperBound else { return nil }
            return glyf.lowerBound + start..<glyf.lowerBound + end
        }
        // Glyph 0 always; composite glyphs pull in their components (transitively, each once).
        var kept: Set<Int> = [0]
        var pending = Array(glyphs.map(Int.init)) + [0]
        while let glyph = pending.popLast() {
            kept.insert(glyph)
            guard let range = outline(glyph), range.count >= 10, let contours = reader.i16(range.lowerBound), contours < 0 else { continue }
            var at = range.lowerBound + 10
            while at + 4 <= range.upperBound, let flags = reader.u16(at), let component = reader.u16(at + 2) {
                if !kept.contains(Int(component)) { pending.append(Int(component)) }
                at += 4 + (flags & 0x0001 != 0 ? 4 : 2)  // ARG_1_AND_2_ARE_WORDS
                if flags & 0x0008 != 0 {
                    at += 2  // WE_HAVE_A_SCALE
                } else if flags & 0x0040 != 0 {
                    at += 4  // WE_HAVE_AN_X_AND_Y_SCALE
                } else if flags & 0x0080 != 0 {
                    at += 8  // WE_HAVE_A_TWO_BY_TWO
                }
                guard flags & 0x0020 != 0 else { break }  // MORE_COMPONENTS
            }
        }
        var newGlyf: [UInt8] = []
        var starts: [Int] = []
        for glyph in 0..<glyphCount {
            starts.append(newGlyf.count)
            if kept.contains(glyph), let range = outline(glyph) {
                newGlyf += bytes[range]
                while newGlyf.count % 4 != 0 { newGlyf.append(0) }
            }
        }
        starts.append(newGlyf.count)
        // Short offsets (halved, 16 bits) when the outlines fit in 128 kB, as a subset's do: half the `loca` size.
        let short = newGlyf.count < 0x2_0000
        var newLoca: [UInt8] = []
        newLoca.reserveCapacity(starts.count * (short ? 2 : 4))
        for start in starts {
            if short {
                newLoca += [UInt8((start / 2) >> 8), UInt8((start / 2) & 0xFF)]
            } else {
                Self.put32(UInt32(start), into: &newLoca)
            }
        }
        var head = Array(bytes[tables["head"]!])
        if head.count >= 54 {
            head[8...11] = [0, 0, 0, 0]  // checksumAdjustment, set below
            head[50...51] = [0, short ? 0 : 1]  // indexToLocFormat
        }
        var out: [(String, [UInt8])] = [("glyf", newGlyf), ("head", head), ("loca", newLoca)]
        for tag in ["cvt ", "fpgm", "hhea", "hmtx", "maxp", "prep"] {
            if let range = tables[tag] { out.append((tag, Array(bytes[range]))) }
        }
        out.sort { $0.0 < $1.0 }
        return Self.assemble(out)
    }

    // MARK: - Reading

    /// Big-endian reads that answer nil past the end.
    private struct Reader {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func u16(_ at: Int) -> UInt16? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
        }
        func i16(_ at: Int) -> Int16? { u16(at).map { Int16(bitPattern: $0) } }
        func u32(_ at: Int) -> UInt32? {
            guard let high = u16(at), let low = u16(at + 2) else { return nil }
            return UInt32(high) << 16 | UInt32(low)
        }
        func tag(_ at: Int) -> String? {
            guard at >= 0, at + 4 <= bytes.count else { return nil }
            return String(decoding: bytes[at..<at + 4], as: Unicode.ASCII.self)
        }
    }

    /// The Unicode character map: the best subtable of platform 3 (Windows) encoding 10 or 1, or platform 0
    /// (Unicode), in format 12 or 4.
    private static func characterMap(_ reader: Reader, _ table: Range<Int>, glyphCount: Int) throws(Failure) -> [UInt32: UInt16] {
        let base = table.lowerBound
        guard let count = reader.u16(base + 2) else { throw Failure("the 'cmap' table is cut off") }
        var best: (rank: Int, offset: Int)?
        for index in 0..<Int(count) {
            let record = base + 4 + 8 * index
            guard let platform = reader.u16(record), let encoding = reader.u16(record + 2), let offset = reader.u32(record + 4),
                let format = reader.u16(base + Int(offset))
            else { continue }
            let unicode = (platform == 3 && (encoding == 1 || encoding == 10)) || platform == 0
            guard unicode, format == 4 || format == 12 else { continue }
            let rank = format == 12 ? 2 : 1
            if rank > (best?.rank ?? 0) { best = (rank, base + Int(offset)) }
        }
        guard let best else { throw Failure("the font has no Unicode character map (cmap format 4 or 12)") }
        var map: [UInt32: UInt16] = [:]
        func add(_ scalar: UInt32, _ glyph: Int) {
            if glyph > 0, glyph < glyphCount, scalar < 0x11_0000 { map[scalar] = UInt16(glyph) }
        }
        if best.rank == 2 {
            guard let groups = reader.u32(best.offset + 12), Int(groups) <= (table.upperBound - best.offset) / 12 else {
                throw Failure("the 'cmap' format 12 subtable is cut off")
            }
            for group in 0..<Int(groups) {
                let at = best.offset + 16 + 12 * group
                guard let first = reader.u32(at), let last = reader.u32(at + 4), let glyph = reader.u32(at + 8), first <= last,
                    last < 0x11_0000, last - first < 0x1_0000
                else { throw Failure("cmap group \(group) is cut off or out of range") }
                for scalar in first...last { add(scalar, Int(glyph) + Int(scalar - first)) }
            }
        } else {
            guard let doubledSegments = reader.u16(best.offset + 6) else { throw Failure("the 'cmap' format 4 subtable is cut off") }
            let segments = Int(doubledSegments) / 2
            let ends = best.offset + 14
            let starts = ends + 2 * segments + 2
            let deltas = starts + 2 * segments
            let rangeOffsets = deltas + 2 * segments
            for segment in 0..<segments {
                guard let end = reader.u16(ends + 2 * segment), let start = reader.u16(starts + 2 * segment),
                    let delta = reader.u16(deltas + 2 * segment), let rangeOffset = reader.u16(rangeOffsets + 2 * segment), start <= end
                else { throw Failure("cmap segment \(segment) is cut off") }
                for code in UInt32(start)...UInt32(end) where code != 0xFFFF {
                    if rangeOffset == 0 {
                        add(code, Int((UInt32(delta) + code) & 0xFFFF))
                    } else {
                        let at = rangeOffsets + 2 * segment + Int(rangeOffset) + 2 * Int(code - UInt32(start))
                        guard let glyph = reader.u16(at) else { continue }
                        if glyph != 0 { add(code, Int((UInt32(glyph) + UInt32(delta)) & 0xFFFF)) }
                    }
                }
            }
        }
        return map
    }

    /// Name id 6 from a Windows (UTF-16BE) or Macintosh (ASCII) record, kept to the characters a PDF name allows.
    private static func postScriptName(_ reader: Reader, _ table: Range<Int>?) -> String? {
        guard let table, let count = reader.u16(table.lowerBound + 2), let storage = reader.u16(table.lowerBound + 4) else { return nil }
        for index in 0..<Int(count) {
            let record = table.lowerBound + 6 + 12 * index
            guard let platform = reader.u16(record), let nameID = reader.u16(record + 6), nameID == 6,
                let length = reader.u16(record + 8), let offset = reader.u16(record + 10)
            else { continue }
            let start = table.lowerBound + Int(storage) + Int(offset)
            guard start + Int(length) <= min(table.upperBound, reader.bytes.count) else { continue }
            let raw = reader.bytes[start..<start + Int(length)]
            let text =
                platform == 3
                ? String(
                    decoding: stride(from: 0, to: raw.count - 1, by: 2).map {
                        UInt16(raw[raw.startIndex + $0]) << 8 | UInt16(raw[raw.startIndex + $0 + 1])
                    }, as: UTF16.self)
                : String(decoding: raw, as: Unicode.ASCII.self)
            let name = String(text.unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" })
            if !name.isEmpty { return String(name.prefix(63)) }
        }
        return nil
    }

    // MARK: - Writing

    private static func put32(_ value: UInt32, into out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func checksum(_ data: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < data.count {
            var word: UInt32 = 0
            for byte in 0..<4 { word = word << 8 | UInt32(index + byte < data.count ? data[index + byte] : 0) }
            sum &+= word
            index += 4
        }
        return sum
    }

    /// A font file of `tables` (sorted by tag): the offset table, the directory with each table's checksum, the
    /// tables padded to four bytes, and `head.checksumAdjustment` so the whole file sums to 0xB1B0AFBA.
    private static func assemble(_ tables: [(String, [UInt8])]) -> [UInt8] {
        let count = tables.count
        var power = 1
        var log = 0
        while power * 2 <= count {
            power *= 2
            log += 1
        }
        var out: [UInt8] = [0, 1, 0, 0]
        for value in [count, power * 16, log, count * 16 - power * 16] { out += [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var offset = 12 + 16 * count
        var body: [UInt8] = []
        var headOffset: Int?
        for (tag, data) in tables {
            out += Array(tag.utf8)
            put32(checksum(data), into: &out)
            put32(UInt32(offset), into: &out)
            put32(UInt32(data.count), into: &out)
            if tag == "head" { headOffset = offset }
            var padded = data
            while padded.count % 4 != 0 { padded.append(0) }
            body += padded
            offset += padded.count
        }
        out += body
        if let headOffset, headOffset + 12 <= out.count {
            let adjustment = 0xB1B0_AFBA &- checksum(out)
            out[headOffset + 8] = UInt8(adjustment >> 24)
            out[headOffset + 9] = UInt8(adjustment >> 16 & 0xFF)
            out[headOffset + 10] = UInt8(adjustment >> 8 & 0xFF)
            out[headOffset + 11] = UInt8(adjustment & 0xFF)
        }
        return out
    }
}
