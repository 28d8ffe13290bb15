/// New files copied many at a time instead of three processes per file: a first install of a
/// 2,500-file tree forks a handful of times, not ten thousand. Only files whose target does not
/// exist are batched (nothing is replaced, so there is nothing to make atomic); replacing an
/// existing file keeps the temporary-name-then-rename path. Each file's cleanup line is still
/// written before the copy.
///
/// A batch holds files that keep their path below a common pair of roots — `S/rel` in the
/// archive becomes `D/rel` on the host — and copies them with one `cp --parents` run in `S`.
struct InstallCopyBatch {
    /// Files per `cp`: far below the 128 KiB per-argument and 2 MiB per-exec limits.
    static let limit = 1000

    /// The archive-side root (relative, "" for the archive itself) and the host-side root.
    let roots: Roots
    private(set) var firstIndex: Int
    private(set) var files: [(relative: String, destination: String, mode: UInt32)] = []

    struct Roots: Equatable {
        var source: String
        var destination: String
    }

    init(roots: Roots, firstIndex: Int) {
        self.roots = roots
        self.firstIndex = firstIndex
    }

    /// Splits a copy into roots and the relative path both sides share (the longest common
    /// tail of path components), or nil when they share none.
    static func split(source: String, destination: String) -> (Roots, relative: String)? {
        let from = source.split(separator: "/", omittingEmptySubsequences: true)
        let to = destination.split(separator: "/", omittingEmptySubsequences: true)
        var shared = 0
        while shared < from.count && shared < to.count && from[from.count - 1 - shared] == to[to.count - 1 - shared] {
            shared += 1
        }
        guard shared > 0 else { return nil }
        let relative = from.suffix(shared).joined(separator: "/")
        let sourceRoot = from.dropLast(shared).joined(separator: "/")
        let destinationRoot = "/" + to.dropLast(shared).joined(separator: "/")
        return (Roots(source: sourceRoot, destination: destinationRoot), relative)
    }

    func accepts(_ other: Roots) -> Bool {
        other == roots && files.count < InstallCopyBatch.limit
    }

    mutating func add(relative: String, destination: String, mode: UInt32) {
        files.append((relative, destination, mode))
    }

    /// Records every file, copies them all, then sets each mode group.
    func render(into script: inout ShellScript) {
        for file in files { script.run(InstallProgram.record(file.destination)) }
        script.run(
            ShellCommand(
                ["t_copy_batch", .number(firstIndex), .quoted(roots.source), .quoted(roots.destination)]
                    + files.map { .quoted($0.relative) }))
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
