import Foundation

/// What an exec channel writes on the program's stdin: the program text as sent (compressed),
/// then the input file, streamed through one fixed buffer of at least 1 MiB.
///
/// The buffer's address and contents stay put until `consume` is called, which is what
/// libssh2's non-blocking rule needs: after EAGAIN, repeat the same write with the same bytes.
final class StdinFeed {
    static let chunkSize = 1 << 20

    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private let program: [UInt8]
    private var programCopied = 0
    private let input: ProgramFile?
    private var inputLeft: Int64
    /// Bytes handed to the channel so far.
    private(set) var sent: Int64 = 0

    init(program: [UInt8], inputPath: String?, inputLength: Int64) throws {
        self.program = program
        self.input = try inputPath.map { try ProgramFile(path: $0) }
        self.inputLeft = inputPath == nil ? 0 : inputLength
        self.buffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    var programLength: Int { program.count }

    /// The input file, if any (for messages).
    var inputPath: String? { input?.path }

    /// Whether the program text itself is still being sent (for messages).
    var sendingProgram: Bool { sent < Int64(program.count) }

    /// The bytes to write next, or nil when everything was sent.
    func pending() throws -> UnsafeRawBufferPointer? {
        if start == end { try refill() }
        guard start < end else { return nil }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    /// The channel took `count` bytes of `pending()`.
    func consume(_ count: Int) {
        start += count
        sent += Int64(count)
    }

    private func refill() throws {
        start = 0
        end = 0
        let fromProgram = min(program.count - programCopied, buffer.count)
        if fromProgram > 0 {
            program.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + programCopied, byteCount: fromProgram)
            }
            programCopied += fromProgram
            end = fromProgram
        }
        guard let input, inputLeft > 0, end < buffer.count else { return }
        let wanted = Int(min(Int64(buffer.count - end), inputLeft))
        let got = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<end + wanted]))
        inputLeft -= Int64(got)
        end += got
    }
}

/// A local file read front to back; closed when released.
final class ProgramFile {
    struct Failure: Error {
        var message: String
    }

    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Fills `target` completely; fails if the file ends first.
    func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < target.count {
            let count = Glibc.read(fd, target.baseAddress! + filled, target.count - filled)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = count == 0 ? "it is shorter than announced" : String(cString: strerror(errno))
                throw Failure(message: "cannot read \(path): \(reason)")
            }
            filled += count
        }
        return filled
    }
}
