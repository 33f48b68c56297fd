/// A zip file held in memory, such as a roster upload, read with the checks an untrusted upload needs.
///
/// Follows PKWARE's APPNOTE.TXT 6.3: the end of central directory record (4.3.16) locates the central
/// directory (4.3.12), whose headers give each entry's name, method, sizes and CRC-32; the local header
/// (4.3.7) is read only to find where the data starts. Taking the sizes from the central directory is what
/// makes entries written with a data descriptor (general purpose bit 3, 4.3.9), whose local header holds
/// zeros, read like any other.
///
/// Refused with a ``ZipError`` a user can read: encryption, ZIP64, split archives, methods other than stored
/// and deflate, names that are absolute, contain `..` segments, backslashes or NUL (zip-slip), duplicate
/// names, names that are not UTF-8, and archives over the ``ZipLimits``. macOS's `__MACOSX/` folder and
/// `.DS_Store` files are checked like any entry and then left out of ``entries``.
public struct ZipArchive: Sendable {
    /// The files and folders of the archive in central-directory order, without macOS metadata.
    public let entries: [ZipEntry]
    private let bytes: [UInt8]

    private static let endOfCentralDirectorySignature: UInt32 = 0x0605_4b50
    private static let centralHeaderSignature: UInt32 = 0x0201_4b50
    private static let localHeaderSignature: UInt32 = 0x0403_4b50
    private static let endOfCentralDirectoryLength = 22
    private static let centralHeaderLength = 46
    private static let localHeaderLength = 30

    /// Reads and checks the archive's structure; entry data is inflated and checked by ``extractAll()``.
    ///
    /// - Throws: ``ZipError`` for a file that is not a zip, is damaged, or is refused for one of the reasons
    ///   listed on the type.
    public init(bytes: [UInt8], limits: ZipLimits = .default) throws(ZipError) {
        guard let end = Self.endOfCentralDirectory(in: bytes) else { throw .notAZip }
        let entriesOnThisDisk = end.uint16(8)
        let entryCount = end.uint16(10)
        let directorySize = end.uint32(12)
        let directoryOffset = end.uint32(16)
        // APPNOTE 4.4.1.4: a field at its maximum means the real value is in a ZIP64 record.
        if entriesOnThisDisk == .max || entryCount == .max || directorySize == .max || directoryOffset == .max {
            throw .zip64
        }
        if end.uint16(4) != 0 || end.uint16(6) != 0 || entriesOnThisDisk != entryCount { throw .multiDisk }
        if Int(entryCount) > limits.maxEntries { throw .tooManyEntries(limit: limits.maxEntries) }
        let directoryStart = Int(directoryOffset)
        let directoryEnd = directoryStart + Int(directorySize)
        guard directoryEnd <= end.start else { throw .damaged("its list of files lies outside the file") }

        var entries: [ZipEntry] = []
        var names: Set<String> = []
        var totalBytes = 0
        var offset = directoryStart
        for _ in 0..<entryCount {
            guard let header = ZipRecord(bytes, at: offset, length: Self.centralHeaderLength),
                offset + Self.centralHeaderLength <= directoryEnd,
                header.hasSignature(Self.centralHeaderSignature)
            else { throw .damaged("its list of files is cut short") }
            let nameStart = offset + Self.centralHeaderLength
            let nameEnd = nameStart + Int(header.uint16(28))
            offset = nameEnd + Int(header.uint16(30)) + Int(header.uint16(32))
            guard offset <= directoryEnd else { throw .damaged("its list of files is cut short") }

            let name = try ZipEntryName.decode(bytes[nameStart..<nameEnd])
            try ZipEntryName.validate(name)
            guard names.insert(name).inserted else { throw .duplicateName(name) }
            let entry = try Self.entry(named: name, header: header, in: bytes, dataEnd: directoryStart)
            if ZipEntryName.isMacOSMetadata(name) { continue }
            if !entry.isDirectory {
                // The declared sizes are checked here so a zip over the limit fails before any inflating;
                // extraction then stops each entry at its declared size, so lying sizes cannot exceed it.
                totalBytes += entry.uncompressedSize
                if totalBytes > limits.maxTotalBytes { throw .tooLarge(limit: limits.maxTotalBytes) }
            }
            entries.append(entry)
        }
        self.entries = entries
        self.bytes = bytes
    }

    /// Extracts every file, checking each one's size and CRC-32.
    ///
    /// - Returns: Each file's content by its name in the zip (folders left out).
    /// - Throws: ``ZipError`` when an entry's data is not valid deflate, unpacks to another size than the
    ///   zip declares (inflating stops one byte past the declared size, so a zip bomb costs no more memory than
    ///   the limits allow), or fails its CRC-32.
    public func extractAll() throws(ZipError) -> [String: [UInt8]] {
        var inflater: RawInflater?
        var files: [String: [UInt8]] = [:]
        for entry in entries where !entry.isDirectory {
            let stored = bytes[entry.dataRange]
            let contents: [UInt8]
            switch entry.method {
            case .stored:
                contents = Array(stored)
            case .deflated:
                let active: RawInflater
                if let inflater {
                    active = inflater
                } else {
                    active = try RawInflater()
                    inflater = active
                }
                switch try active.inflate(stored, expectedSize: entry.uncompressedSize) {
                case .inflated(let bytes): contents = bytes
                case .tooLong: throw .damaged(entry.name, "unpacks to more than its recorded size")
                case .tooShort: throw .damaged(entry.name, "is cut short")
                case .invalid: throw .damaged(entry.name, "is not valid compressed data")
                }
            }
            guard CRC32.checksum(contents) == entry.crc32 else {
                throw .damaged(entry.name, "fails its CRC-32 check")
            }
            files[entry.name] = contents
        }
        return files
    }

    /// Finds the end of central directory record by searching backwards, since a comment of up to 64 KiB
    /// may follow it. A candidate counts only if its comment length runs exactly to the end of the file, so
    /// the signature's bytes inside a comment or inside data are not taken for it.
    private static func endOfCentralDirectory(in bytes: [UInt8]) -> ZipRecord? {
        let last = bytes.count - endOfCentralDirectoryLength
        guard last >= 0 else { return nil }
        for start in stride(from: last, through: max(0, last - Int(UInt16.max)), by: -1) where bytes[start] == 0x50 {
            guard let record = ZipRecord(bytes, at: start, length: endOfCentralDirectoryLength),
                record.hasSignature(endOfCentralDirectorySignature),
                start + endOfCentralDirectoryLength + Int(record.uint16(20)) == bytes.count
            else { continue }
            return record
        }
        return nil
    }

    /// Builds the entry a central directory header describes, checking what the header alone can tell and
    /// that its data lies before `dataEnd` (the start of the central directory).
    private static func entry(
        named name: String, header: ZipRecord, in bytes: [UInt8], dataEnd: Int
    ) throws(ZipError) -> ZipEntry {
        // Bit 0 marks encryption; strong encryption (bit 6) and AES (method 99) set it too.
        if header.uint16(8) & 0x0001 != 0 { throw .encrypted(name) }
        let compressedSize = header.uint32(20)
        let uncompressedSize = header.uint32(24)
        let diskStart = header.uint16(34)
        let localOffset = header.uint32(42)
        if compressedSize == .max || uncompressedSize == .max || localOffset == .max || diskStart == .max {
            throw .zip64
        }
        if diskStart != 0 { throw .multiDisk }
        let method: ZipEntry.Method
        switch header.uint16(10) {
        case 0: method = .stored
        case 8: method = .deflated
        case let other: throw .unsupportedMethod(name, method: other)
        }
        if method == .stored && compressedSize != uncompressedSize {
            throw .damaged(name, "has two different sizes recorded")
        }
        guard let local = ZipRecord(bytes, at: Int(localOffset), length: localHeaderLength),
            local.hasSignature(localHeaderSignature)
        else { throw .damaged(name, "cannot be found where the list of files says") }
        let dataStart = local.start + localHeaderLength + Int(local.uint16(26)) + Int(local.uint16(28))
        let dataRange = dataStart..<(dataStart + Int(compressedSize))
        guard dataRange.upperBound <= dataEnd else { throw .damaged(name, "is cut short") }
        return ZipEntry(
            name: name, method: method, compressedSize: Int(compressedSize),
            uncompressedSize: Int(uncompressedSize), crc32: header.uint32(16), dataRange: dataRange)
    }
}
