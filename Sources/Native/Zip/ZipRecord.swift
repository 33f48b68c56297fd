/// A fixed-size little-endian record inside the archive's bytes (APPNOTE 4.3.6-4.3.16), bounds-checked once
/// on creation so its fields read without further checks.
struct ZipRecord {
    private let bytes: [UInt8]
    /// The record's first byte in the archive.
    let start: Int
    private let length: Int

    /// Nil when `length` bytes from `start` run past the end of `bytes`: a truncated or damaged archive.
    init?(_ bytes: [UInt8], at start: Int, length: Int) {
        guard start >= 0, length >= 0, start <= bytes.count - length else { return nil }
        self.bytes = bytes
        self.start = start
        self.length = length
    }

    /// Whether the record starts with the 4-byte signature `signature`.
    func hasSignature(_ signature: UInt32) -> Bool { length >= 4 && uint32(0) == signature }

    /// The 16-bit field at `offset` from the record's start.
    func uint16(_ offset: Int) -> UInt16 {
        precondition(offset >= 0 && offset + 2 <= length, "zip field outside its record: a parser bug")
        return UInt16(bytes[start + offset]) | UInt16(bytes[start + offset + 1]) << 8
    }

    /// The 32-bit field at `offset` from the record's start.
    func uint32(_ offset: Int) -> UInt32 {
        UInt32(uint16(offset)) | UInt32(uint16(offset + 2)) << 16
    }
}
