import Foundation
import Synchronization
import TarmacCore

/// Where human output goes: stderr, so stdout stays for results and `--json`.
struct Console {
    private static let copy = Mutex<FileHandle?>(nil)

    /// A line for the operator on stderr. Control characters (from hook output, host errors)
    /// are shown as text; the execution log copy keeps the exact bytes.
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((VisibleText.escape(line) + "\n").utf8))
        copy.withLock { try? $0?.write(contentsOf: Data((line + "\n").utf8)) }
    }

    /// Also writes every `say` line to `file` (an execution's log, when stderr is a terminal).
    static func copy(to file: FileHandle?) {
        copy.withLock { $0 = file }
    }

    static func diagnostics(_ items: [Diagnostic]) {
        for item in items.sortedByLocation() { say(item.description) }
    }

    /// The result channel: stdout.
    static func result(_ line: String) {
        FileHandle.standardOutput.write(Data((VisibleText.escape(line) + "\n").utf8))
    }

    /// A path the user typed, made absolute against the current directory (`~/` is home).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            return home + path.dropFirst(1)
        }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    static func json(_ data: Data) {
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data([0x0A]))
    }
}

/// Exit statuses of the contract.
enum Exit {
    static let failed = Int32(1)
    static let invalidInput = Int32(2)
    static let interrupted = Int32(130)
}
