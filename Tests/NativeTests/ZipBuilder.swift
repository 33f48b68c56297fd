/// Writes small stored-only zips byte by byte, so each structural rule of ``ZipArchive`` can be tested with
/// one field changed: names no honest tool writes, flags, methods and sizes that disagree, ZIP64 and
/// multi-disk markers. Realistic archives from real tools are the fixtures in `Tests/Fixtures/zip/`.
struct ZipBuilder {
    struct Entry {
        var name: [UInt8]
        var data: [UInt8]
        var flags: UInt16 = 0
        var method: UInt16 = 0
        /// Nil writes the true CRC-32 of `data`.
        var crc32: UInt32? = nil
        /// Nil writes `data.count`.
        var compressedSize: UInt32? = nil
        /// Nil writes `data.count`.
        var uncompressedSize: UInt32? = nil
        var diskStart: UInt16 = 0

        init(_ name: String, _ data: String = "", flags: UInt16 = 0) {
            self.name = Array(name.utf8)
            self.data = Array(data.utf8)
            self.flags = flags
        }

        init(rawName: [UInt8], flags: UInt16 = 0) {
            self.name = rawName
            self.data = []
            self.flags = flags
        }
    }

    var entries: [Entry]
    var comment: [UInt8] = []
    var diskNumber: UInt16 = 0
    /// Nil writes the true number of entries.
    var entryCount: UInt16? = nil

    init(_ entries: [Entry]) { self.entries = entries }

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let crc = entry.crc32 ?? Self.crc32(entry.data)
            let compressed = entry.compressedSize ?? UInt32(entry.data.count)
            let uncompressed = entry.uncompressedSize ?? UInt32(entry.data.count)
            let localOffset = UInt32(out.count)
            // Local file header, APPNOTE 4.3.7.
            out += le32(0x0403_4b50) + le16(20) + le16(entry.flags) + le16(entry.method) + le16(0) + le16(0x5b21)
            out += le32(crc) + le32(compressed) + le32(uncompressed) + le16(UInt16(entry.name.count)) + le16(0)
            out += entry.name + entry.data
            // Central directory header, APPNOTE 4.3.12.
            central += le32(0x0201_4b50) + le16(0x031e) + le16(20) + le16(entry.flags) + le16(entry.method)
            central += le16(0) + le16(0x5b21) + le32(crc) + le32(compressed) + le32(uncompressed)
            central += le16(UInt16(entry.name.count)) + le16(0) + le16(0) + le16(entry.diskStart) + le16(0)
            central += le32(0o644 << 16) + le32(localOffset) + entry.name
        }
        let count = entryCount ?? UInt16(entries.count)
        // End of central directory record, APPNOTE 4.3.16.
        let end =
            le32(0x0605_4b50) + le16(diskNumber) + le16(diskNumber) + le16(count) + le16(count)
            + le32(UInt32(central.count)) + le32(UInt32(out.count)) + le16(UInt16(comment.count)) + comment
        return out + central + end
    }

    /// Bit-by-bit CRC-32 (reflected polynomial 0xEDB88320), independent of the zlib one under test.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xFFFF)) + le16(UInt16(value >> 16)) }
}
