/// Reads and writes tarmac's own records under the deployment root (the high-water mark,
/// receipts) with the protections of the other records (SECURITY.md): the root and its
/// ancestors are checked first (`RootCheck`), a record is read back only if it is a regular
/// file owned by the deployment user and writable by no one else, and it is written to a new
/// `mktemp` file in the same, checked directory and renamed into place.
///
///     @fact found <i>, @fact size <i> <n>, @fact b64 …   record i exists, then its bytes
public enum HostRecordProgram {
    /// Reads several records in one program: every directory of `directories` and every
    /// record checked first (one `stat`), then each record that exists as `@fact found <i>`,
    /// its size (`@fact size <i> <bytes>`) and its bytes in `base64` lines (`@fact b64 …`, a
    /// third of what `od` prints for a large manifest), read by `ReadFileProgram.parseAll`.
    public static func read(_ records: [String], directories: [String], layout: HostLayout) -> ShellScript {
        var script = Bookkeeping.prelude("read records of the deployment root")
        script.append(RootCheck.helpers())
        script.run("t_chain", .quoted(layout.root))
        script.run(RootCheck.checks(directories.map { ($0, "directory") } + records.map { ($0, "record") }))
        for (index, path) in records.enumerated() { ReadFileProgram.emit(index, path: path, into: &script) }
        Bookkeeping.finish(&script)
        return script
    }

    /// Writes each record (path and text) in `directory` (made 0700 if missing), atomically.
    public static func write(
        _ records: [(path: String, text: String)], in directory: String, layout: HostLayout,
        label: StaticString
    ) -> ShellScript {
        var script = Bookkeeping.prelude("write records of the deployment root")
        script.append(RootCheck.helpers())
        script.run("t_chain", .quoted(layout.root))
        script.run(
            "[", "-d", .quoted(directory), "]", "||", "mkdir", "-p", "-m", "0700", "--", .quoted(directory), "||",
            "t_fail", .literal(label), .quoted("cannot create the directory"), .quoted(directory))
        script.run("t_check", .quoted(directory), "directory")
        for record in records {
            script.run("t_check", .quoted(record.path), "record")
            Bookkeeping.writeFile(record.path, text: record.text, label: label, in: &script)
        }
        script.run("printf", "'@step %s ok\\n'", .quoted("\(label)"), ">&3")
        Bookkeeping.finish(&script)
        return script
    }
}

extension HostLayout {
    /// The highest anti-rollback sequence `apply --trust-key` accepted for this group.
    public var highWaterFile: String { "\(instructions)/\(groupID)_high_water_mark" }
    /// What the group's last successful Install left on the host (`InstalledRecord`), for `tarmac verify`.
    public var installedFile: String { "\(instructions)/\(groupID)_installed" }
    /// Where every deployment leaves its receipt.
    public var receiptsDirectory: String { "\(root)/receipts" }
    public func receiptFile(_ deploymentID: String) -> String { "\(receiptsDirectory)/\(deploymentID).json" }
}
