import Foundation
import Subprocess
import SystemPackage
import TarmacEngine

/// Runs programs with this machine's `/bin/sh`: the transport of `tarmac apply`.
///
/// The program is written to a private temporary file and run as `sh FILE`, so programs of
/// any size work (an argument is capped at 128 KiB) and stdin stays free.
public struct LocalTransport: HostTransport {
    public let hostName: String

    public init(hostName: String = "localhost") {
        self.hostName = hostName
    }

    public func run(
        _ program: ShellScript, input: ProgramInput?, onLine: @escaping @Sendable (ProgramLine) -> Void
    ) async throws -> ProgramOutcome {
        let file = try writeProgram(program)
        defer { unlink(file) }
        // No input reads /dev/null, as a program started with nothing on stdin would.
        let source = input?.path ?? "/dev/null"
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TransportError(host: hostName, message: "cannot read \(source): \(String(cString: strerror(errno)))")
        }
        let stdin = FileDescriptorInput.fileDescriptor(FileDescriptor(rawValue: fd), closeAfterSpawningProcess: true)
        let collected = LineCollector()
        // A process group of its own: Ctrl-C at the terminal reaches tarmac, which decides
        // (finish the event in flight, then stop), not the program in the middle of its work.
        var options = PlatformOptions()
        options.processGroupID = 0
        let result = try await Subprocess.run(
            .path(FilePath("/bin/sh")), arguments: [file], environment: .inherit,
            workingDirectory: FilePath("/"), platformOptions: options, input: stdin, output: .sequence,
            error: .string(limit: 1 << 20)
        ) { execution in
            // Raw chunks cut into lines here: far cheaper than a per-scalar line sequence for
            // the tens of thousands of lines a probe of a large revision prints.
            var splitter = LineSplitter()
            let handle: (Substring) -> Void = { text in
                let parsed = ProgramLine.parse(text)
                collected.append(parsed)
                onLine(parsed)
            }
            for try await chunk in execution.standardOutput {
                try chunk.withUnsafeBytes { try splitter.feed($0, emit: handle) }
            }
            splitter.finish(emit: handle)
        }
        let lines = collected.lines
        let stderr = result.standardError
        guard case .done(let status)? = lines.last(where: { if case .done = $0 { true } else { false } }) else {
            throw TransportError(
                host: hostName,
                message: "the program ended (\(result.terminationStatus)) without reporting completion"
                    + (stderr.isEmpty ? "" : ": " + stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return ProgramOutcome(lines: lines, status: status, stderr: stderr)
    }

    private func writeProgram(_ program: ShellScript) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/tarmac-program.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw TransportError(
                host: hostName, message: "cannot create a temporary file: \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(program.description.utf8))
        return path
    }
}

/// Lines gathered from a stream consumer that may run on another thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ProgramLine] = []

    func append(_ line: ProgramLine) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }

    var lines: [ProgramLine] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
