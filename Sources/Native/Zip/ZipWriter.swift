/// Writes a zip file in memory (PKWARE APPNOTE.TXT 6.3): a local header and the data of each entry (4.3.7), the
/// central directory (4.3.12) and its end record (4.3.16). Entries are deflated (method 8) when that makes them
/// smaller and stored (method 0) otherwise; names are UTF-8 (general purpose bit 11). No ZIP64: an archive over
/// 4 GiB or 65,535 entries is refused, as ``ZipArchive`` would refuse to read it.
///
/// Times are written as the DOS time given (UTC), since zip has no time zone.
public struct ZipWriter {
    /// A zip entry's time of last modification.
    public struct Timestamp: Sendable, Equatable {
        public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

        public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
        }

        /// MS-DOS date and time (APPNOTE 4.4.6), from 1980 on.
        var dos: (time: UInt16, date: UInt16) {
            let year = min(max(self.year, 1980), 2107)
            return (
                UInt16(hour << 11 | minute << 5 | second / 2),
                UInt16((year - 1980) << 9 | month << 5 | day)
            )
        }
    }

    private var output: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0
    private var names: Set<String> = []
    private let deflater: RawDeflater
    private let timestamp: Timestamp

    /// An empty archive whose entries carry `timestamp`.
    ///
    /// - Throws: ``ZipError/outOfMemory`` when zlib cannot allocate its state.
    public init(timestamp: Timestamp) throws(ZipError) {
        deflater = try RawDeflater()
        self.timestamp = timestamp
    }

    /// Adds a file. The name must be relative, `/`-separated, without `..` segments, and new to the archive
    /// (the same names ``ZipArchive`` accepts); a name breaking that is a programming error.
    public mutating func add(_ name: String, _ bytes: [UInt8]) throws(ZipError) {
        precondition((try? ZipEntryName.validate(name)) != nil, "unsafe zip entry name")
        precondition(names.insert(name).inserted, "duplicate zip entry name")
        guard count < Int(UInt16.max) else { throw .tooManyEntries(limit: Int(UInt16.max) - 1) }
        let crc = CRC32.checksum(bytes)
        let deflated = try deflater.deflate(bytes)
        let (method, data): (UInt16, [UInt8]) = deflated.count < bytes.count ? (8, deflated) : (0, bytes)
        let nameBytes = Array(name.utf8)
        let offset = output.count
        guard offset + 30 + nameBytes.count + data.count < Int(UInt32.max), bytes.count < Int(UInt32.max) else {
            throw .tooLarge(limit: Int(UInt32.max))
        }
        let (time, date) = timestamp.dos
        // Local file header (4.3.7): version 2.0, UTF-8 names (bit 11), method, time, CRC and sizes.
        append32(&output, 0x0403_4b50)
        append16(&output, 20)
        append16(&output, 0x0800)
        append16(&output, method)
        append16(&output, time)
        append16(&output, date)
        append32(&output, crc)
        append32(&output, UInt32(data.count))
        append32(&output, UInt32(bytes.count))
        append16(&output, UInt16(nameBytes.count))
        append16(&output, 0)
        output += nameBytes
        output += data
        // Central directory header (4.3.12): made by version 2.0 on UNIX (3), regular file mode 0644.
        append32(&central, 0x0201_4b50)
        append16(&central, 0x0314)
        append16(&central, 20)
        append16(&central, 0x0800)
        append16(&central, method)
        append16(&central, time)
        append16(&central, date)
        append32(&central, crc)
        append32(&central, UInt32(data.count))
        append32(&central, UInt32(bytes.count))
        append16(&central, UInt16(nameBytes.count))
        append16(&central, 0)
        append16(&central, 0)
        append16(&central, 0)
        append16(&central, 0)
        append32(&central, UInt32(0o100644) << 16)
        append32(&central, UInt32(offset))
        central += nameBytes
        count += 1
    }

    /// The archive's bytes: the entries, the central directory and the end record.
    public func finish() throws(ZipError) -> [UInt8] {
        guard output.count + central.count + 22 < Int(UInt32.max) else { throw .tooLarge(limit: Int(UInt32.max)) }
        var bytes = output + central
        append32(&bytes, 0x0605_4b50)
        append16(&bytes, 0)
        append16(&bytes, 0)
        append16(&bytes, UInt16(count))
        append16(&bytes, UInt16(count))
        append32(&bytes, UInt32(central.count))
        append32(&bytes, UInt32(output.count))
        append16(&bytes, 0)
        return bytes
    }

    /// A whole archive of `files` (name, bytes), in order.
    public static func archive(_ files: [(name: String, bytes: [UInt8])], timestamp: Timestamp) throws(ZipError) -> [UInt8] {
        var writer = try ZipWriter(timestamp: timestamp)
        for file in files { try writer.add(file.name, file.bytes) }
        return try writer.finish()
    }

    private func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    private func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
