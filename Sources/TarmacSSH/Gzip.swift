import CSSH2

/// gzip of a program's text before it goes over the wire: `gzip -dc` on the host (a target
/// has gzip, as it has tar) gets it back. The text of a deployment's programs lists every
/// path of the revision, often several times, and shrinks about eightfold.
enum Gzip {
    /// Level 1: the text compresses nearly as well as at 6, in a third of the time, and the
    /// runner compresses it once per host.
    static func compress(_ bytes: [UInt8], level: Int32 = 1) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper (no name, no timestamp).
        let ready = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(ready == Z_OK, "zlib refused its own defaults (\(ready))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))))
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                // deflateBound is an upper bound for one Z_FINISH call.
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate with a bound-sized buffer did not finish (\(status))")
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}
