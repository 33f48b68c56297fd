import CZlib

/// Owns one zlib inflate stream set up for raw deflate (RFC 1951, no zlib or gzip wrapper), the form zip
/// entries store, and reuses it for each entry of an archive.
///
/// The `z_stream` lives in its own allocation because zlib keeps a pointer back to it in its state and
/// refuses a stream that has moved; a Swift `&local` pointer is valid for one call only.
final class RawInflater {
    /// What inflating one entry came to.
    enum Outcome {
        /// The data inflated to exactly the expected number of bytes.
        case inflated([UInt8])
        /// The data would inflate to more than expected: a lying size, as in a zip bomb. Inflating stopped
        /// one byte past the expected size.
        case tooLong
        /// The data ended, or the deflate stream ended, before the expected number of bytes.
        case tooShort
        /// The bytes are not valid deflate data.
        case invalid
    }

    private let stream: UnsafeMutablePointer<z_stream>

    /// Sets up the stream.
    ///
    /// - Throws: ``ZipError/outOfMemory`` when zlib cannot allocate its state.
    init() throws(ZipError) {
        stream = .allocate(capacity: 1)
        // A zeroed z_stream has null zalloc/zfree/opaque, which tells zlib to use malloc and free.
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate with the largest window. `inflateInit2` is a macro Swift cannot import.
        let status = inflateInit2_(stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            // Z_VERSION_ERROR or Z_STREAM_ERROR would mean the headers do not match the linked library.
            precondition(status == Z_MEM_ERROR, "inflateInit2_ failed with \(status): zlib headers and library differ")
            throw .outOfMemory
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates `input`, producing at most `expectedSize + 1` bytes whatever the input claims, so memory use
    /// is bounded by the size the caller has already checked against its limits.
    ///
    /// - Throws: ``ZipError/outOfMemory`` when zlib runs out of memory.
    func inflate(_ input: ArraySlice<UInt8>, expectedSize: Int) throws(ZipError) -> Outcome {
        precondition(expectedSize >= 0 && expectedSize < Int(UInt32.max), "entry sizes are 32-bit without ZIP64")
        precondition(input.count <= Int(UInt32.max), "entry sizes are 32-bit without ZIP64")
        guard inflateReset(stream) == Z_OK else { preconditionFailure("inflateReset on an initialised stream") }
        let capacity = expectedSize + 1
        var status = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, initializedCount in
            input.withUnsafeBufferPointer { inBytes in
                // zlib only reads through next_in; the field is not const because zlib.h is built without Z_CONST.
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBytes.baseAddress)
                stream.pointee.avail_in = uInt(inBytes.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                // With all input and Z_FINISH, one call either ends the stream or reports why it cannot
                // (zlib turns Z_OK into Z_BUF_ERROR under Z_FINISH), so there is no loop.
                status = CZlib.inflate(stream, Z_FINISH)
                initializedCount = out.count - Int(stream.pointee.avail_out)
                // The buffers die with these closures; leave no dangling pointers in the stream.
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                stream.pointee.avail_in = 0
                stream.pointee.avail_out = 0
            }
        }
        switch status {
        case Z_STREAM_END:
            if output.count == expectedSize { return .inflated(output) }
            return output.count > expectedSize ? .tooLong : .tooShort
        case Z_BUF_ERROR:
            // Out of room means the data holds more than declared; otherwise the input ran out first.
            return output.count == capacity ? .tooLong : .tooShort
        case Z_MEM_ERROR:
            throw .outOfMemory
        default:
            return .invalid
        }
    }
}
