import CZlib

/// Owns one zlib deflate stream for raw deflate (RFC 1951, no zlib or gzip wrapper), the form zip entries store,
/// reset for each entry. The `z_stream` lives in its own allocation, as in ``RawInflater``.
final class RawDeflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Sets up the stream at zlib's default level.
    ///
    /// - Throws: ``ZipError/outOfMemory`` when zlib cannot allocate its state.
    init() throws(ZipError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate, largest window; memLevel 8 is zlib's default. `deflateInit2` is a macro.
        let status = deflateInit2_(
            stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            precondition(status == Z_MEM_ERROR, "deflateInit2_ failed with \(status): zlib headers and library differ")
            throw .outOfMemory
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The raw deflate data of `input`, in one call: `deflateBound` is an upper bound of the output, so one
    /// `Z_FINISH` always ends the stream.
    func deflate(_ input: [UInt8]) throws(ZipError) -> [UInt8] {
        precondition(input.count <= Int(UInt32.max), "entry sizes are 32-bit without ZIP64")
        guard deflateReset(stream) == Z_OK else { preconditionFailure("deflateReset on an initialised stream") }
        let capacity = Int(deflateBound(stream, uLong(input.count)))
        var status = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, initializedCount in
            input.withUnsafeBufferPointer { inBytes in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBytes.baseAddress)
                stream.pointee.avail_in = uInt(inBytes.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                status = CZlib.deflate(stream, Z_FINISH)
                initializedCount = out.count - Int(stream.pointee.avail_out)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                stream.pointee.avail_in = 0
                stream.pointee.avail_out = 0
            }
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_MEM_ERROR: throw .outOfMemory
        default: preconditionFailure("deflate with a deflateBound buffer and Z_FINISH returned \(status)")
        }
    }
}
