import CZlib

/// The CRC-32 of ISO 3309 that zip records for each entry (APPNOTE 4.4.7), computed by zlib.
enum CRC32 {
    /// The checksum of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        precondition(bytes.count <= Int(UInt32.max), "entry sizes are 32-bit without ZIP64")
        return bytes.withUnsafeBufferPointer { buffer in
            // zlib returns the CRC of nothing (0) for a null buffer, which is what an empty array may give.
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}
