/// Why the probe's lines could not become `HostFacts`.
public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The program did not end with `@done 0` (status, or nil when `@done` never came).
    case failed(status: Int32?, note: String?)
    /// A fact line that does not fit the probe's format.
    case malformed(String)
    /// The cleanup file arrived with a different size than the host reported.
    case truncatedCleanup(expected: Int, received: Int)

    public var description: String {
        switch self {
        case .failed(let status?, let note): "the probe failed with status \(status)" + (note.map { ": \($0)" } ?? "")
        case .failed(nil, _): "the probe ended without @done; the connection was lost"
        case .malformed(let line): "the probe printed a fact tarmac cannot read: \(line)"
        case .truncatedCleanup(let expected, let received):
            "the cleanup file arrived incomplete (\(received) of \(expected) bytes)"
        }
    }
}

extension ProbeProgram {
    /// Turns the probe's lines into facts; throws unless the program ended with `@done 0`.
    public static func parse(_ lines: [ProgramLine], request: ProbeRequest) throws -> HostFacts {
        var parser = Parser(request: request)
        var done: Int32?
        var note: String?
        for line in lines {
            switch line {
            case .fact(let key, let value): try parser.take(key: key, value: value)
            case .note(let text): note = note ?? text
            case .done(let status): done = status
            default: break
            }
        }
        guard done == 0 else { throw ProbeError.failed(status: done, note: note) }
        return try parser.finish()
    }

    struct Parser {
        let request: ProbeRequest
        var facts = HostFacts()
        var cleanupBytes: [UInt8]?
        var cleanupSize: Int?
        var lastSuccessfulBytes: [UInt8]?
        var installStatLines: [String]?
        /// `@fact deployment-mtimes`, waiting for the names that follow it.
        var deploymentMtimes: [Int64]?
        var stats = ProbeStats.Parser()

        init(request: ProbeRequest) {
            self.request = request
        }

        mutating func take(key: String, value: String) throws {
            // The facts that come by the thousand first, without splitting them into words.
            if stats.take(key: key, value: value, paths: request.paths) { return }
            switch key {
            case "cleanup-hex":
                guard let bytes = Bookkeeping.decodeHex(value[...]) else {
                    throw ProbeError.malformed("@fact \(key) \(value)")
                }
                if cleanupBytes == nil { cleanupBytes = [] }
                cleanupBytes?.append(contentsOf: bytes)
                return
            case "cleanup-b64":
                guard let bytes = Bookkeeping.decodeBase64(value.utf8) else {
                    throw ProbeError.malformed("@fact \(key) \(value)")
                }
                if cleanupBytes == nil { cleanupBytes = [] }
                cleanupBytes?.append(contentsOf: bytes)
                return
            case "install-stat":
                if installStatLines == nil { installStatLines = [] }
                installStatLines?.append(value)
                return
            default: break
            }
            let fields = value.split(separator: " ", omittingEmptySubsequences: false)
            let bad = { ProbeError.malformed("@fact \(key) \(value)") }
            switch key {
            case "runner":
                guard fields.count == 2, let uid = UInt32(fields[0]), let gid = UInt32(fields[1]) else { throw bad() }
                (facts.runnerUID, facts.runnerGID) = (uid, gid)
            case "kinds":
                guard fields.count == 2, let first = Int(fields[0]), first >= 0,
                    first <= request.paths.count - fields[1].utf8.count
                else { throw bad() }
                for (offset, letter) in fields[1].utf8.enumerated() {
                    guard let kind = Self.kind(letter) else { throw bad() }
                    facts.paths[request.paths[first + offset]] = kind
                }
            case "user", "group", "tool":
                guard fields.count == 2, let name = element(names(key), fields[0]) else { throw bad() }
                if fields[1] == "present" { insert(name, key: key) }
            case "cleanup-size":
                guard let size = Int(value) else { throw bad() }
                cleanupSize = size
                cleanupBytes = cleanupBytes ?? []
            case "last-successful-hex":
                guard let bytes = Bookkeeping.decodeHex(value[...]) else { throw bad() }
                lastSuccessfulBytes = bytes
            case "last-successful-exists": facts.lastSuccessfulExists = value == "yes"
            case "last-successful-unsafe":
                guard let bytes = Bookkeeping.decodeHex(value[...]) else { throw bad() }
                facts.lastSuccessfulUnsafe = String(decoding: bytes, as: UTF8.self)
            case "base-manifest-sha256":
                // Optional: anything but 64 lowercase hex digits is no base (nil), not a failed probe.
                let hex = value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
                facts.baseManifestSHA256 = value.utf8.count == 64 && hex ? value : nil
            case "deployment-mtimes":
                let mtimes = fields.filter { !$0.isEmpty }.map { Int64($0) }
                guard mtimes.allSatisfy({ $0 != nil }), deploymentMtimes == nil else { throw bad() }
                deploymentMtimes = mtimes.compactMap { $0 }
            case "deployment-names":
                guard let mtimes = deploymentMtimes, let bytes = Bookkeeping.decodeHex(value[...]),
                    bytes.last == 0 || bytes.isEmpty
                else { throw bad() }
                let names = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast()
                guard names.count == mtimes.count, names.allSatisfy({ !$0.isEmpty }) else { throw bad() }
                for (name, mtime) in zip(names, mtimes) {
                    facts.deployments.append(.init(name: String(decoding: name, as: UTF8.self), mtime: mtime))
                }
                deploymentMtimes = []
            case "deployment":
                guard fields.count == 2, let mtime = Int64(fields[0]), let name = Bookkeeping.decodeHex(fields[1])
                else { throw bad() }
                facts.deployments.append(.init(name: String(decoding: name, as: UTF8.self), mtime: mtime))
            case "free-kib":
                guard let kib = Int64(value) else { throw bad() }
                facts.freeBytes = kib * 1024
            case "lock":
                guard let lock = LockProgram.parseLockFact(value) else { throw bad() }
                facts.lock = lock
            default: break  // a newer probe's fact: ignored
            }
        }

        /// A letter of `@fact kinds`.
        static func kind(_ letter: UInt8) -> HostFacts.PathKind? {
            switch letter {
            case UInt8(ascii: "f"): .file
            case UInt8(ascii: "d"): .directory
            case UInt8(ascii: "l"): .symlink
            case UInt8(ascii: "o"): .other
            case UInt8(ascii: "m"): .missing
            default: nil
            }
        }

        func finish() throws -> HostFacts {
            var facts = facts
            var stats = stats
            stats.flush(request.paths)
            if let problem = stats.problem { throw ProbeError.malformed(problem) }
            facts.stats = stats.stats
            facts.paths.merge(stats.kinds) { _, fromStat in fromStat }
            if let cleanupBytes {
                guard cleanupSize == cleanupBytes.count else {
                    throw ProbeError.truncatedCleanup(expected: cleanupSize ?? -1, received: cleanupBytes.count)
                }
                facts.cleanup = CleanupRecord.parse(cleanupBytes)
            }
            if let lastSuccessfulBytes {
                facts.lastSuccessful = String(decoding: lastSuccessfulBytes, as: UTF8.self)
            }
            facts.installStat = installStatLines.flatMap(InstallStatRecord.parse)
            return facts
        }

        private func names(_ key: String) -> [String] {
            switch key {
            case "user": request.users
            case "group": request.groups
            default: request.tools
            }
        }

        private mutating func insert(_ name: String, key: String) {
            switch key {
            case "user": facts.users.insert(name)
            case "group": facts.groups.insert(name)
            default: facts.tools.insert(name)
            }
        }

        private func element(_ list: [String], _ index: Substring) -> String? {
            guard let i = Int(index), list.indices.contains(i) else { return nil }
            return list[i]
        }
    }
}
