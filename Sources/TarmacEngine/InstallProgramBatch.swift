/// New files of one directory, copied with one `cp` and one `chmod` per mode instead of
/// three processes per file: a first install of a 2,500-file tree forks a few hundred
/// times, not ten thousand. Only files whose target does not exist are batched (nothing is
/// replaced, so there is nothing to make atomic); replacing an existing file keeps the
/// temporary-name-then-rename path. Each file's cleanup line is still written before the copy.
struct InstallCopyBatch {
    /// Files per `cp`: far below the 128 KiB per-argument and 2 MiB per-exec limits.
    static let limit = 200

    let directory: String
    private(set) var firstIndex: Int
    private(set) var files: [(source: String, destination: String, mode: UInt32)] = []

    init(directory: String, firstIndex: Int) {
        self.directory = directory
        self.firstIndex = firstIndex
    }

    /// The directory a batched copy of `source` to `destination` goes into, or nil when the
    /// copy cannot be batched (the name changes on the way, or the path has no directory).
    static func directory(source: String, destination: String) -> String? {
        guard let slash = destination.lastIndex(of: "/"), slash != destination.startIndex else { return nil }
        let name = destination[destination.index(after: slash)...]
        let sourceName = source.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? source
        guard !name.isEmpty, name == sourceName else { return nil }
        return String(destination[..<slash])
    }

    func accepts(directory other: String) -> Bool {
        other == directory && files.count < InstallCopyBatch.limit
    }

    mutating func add(source: String, destination: String, mode: UInt32) {
        files.append((source, destination, mode))
    }

    /// Records every file, copies them all, then sets each mode group.
    func render(into script: inout ShellScript, archive: String) {
        for file in files { script.run(InstallProgram.record(file.destination)) }
        script.run(
            ShellCommand(
                ["t_copy_batch", .number(firstIndex), .quoted(directory)]
                    + files.map { .quoted(archive + "/" + $0.source) }))
        var modes: [UInt32] = []
        for file in files where !modes.contains(file.mode) { modes.append(file.mode) }
        for mode in modes {
            script.run(
                ShellCommand(
                    ["t_chmod_batch", .number(firstIndex), InstallProgram.modeWord(mode)]
                        + files.filter { $0.mode == mode }.map { .quoted($0.destination) }))
        }
    }
}
