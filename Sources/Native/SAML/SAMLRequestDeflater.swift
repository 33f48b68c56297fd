import CZlib

/// Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) of an `AuthnRequest`, as the HTTP-Redirect binding sends it
/// (saml-bindings §3.4.4.1).
public enum SAMLRequestDeflater {
    /// `input` deflated; `nil` only if zlib fails (out of memory).
    public static func deflate(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        // windowBits -15: raw deflate. `deflateInit2` is a macro Swift cannot import.
        guard
            deflateInit2_(
                &stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
                == Z_OK
        else { return nil }
        // The stream stays in this one frame, and zlib only keeps pointers into it between these calls.
        defer { deflateEnd(&stream) }
        let capacity = Int(deflateBound(&stream, uLong(input.count))) + 16
        var status = Z_OK
        var input = input
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            input.withUnsafeMutableBufferPointer { bytes in
                stream.next_in = bytes.baseAddress
                stream.avail_in = uInt(bytes.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                status = CZlib.deflate(&stream, Z_FINISH)
                count = out.count - Int(stream.avail_out)
                stream.next_in = nil
                stream.next_out = nil
            }
        }
        return status == Z_STREAM_END ? output : nil
    }
}
