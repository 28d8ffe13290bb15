/// Asks a host for the SHA-256 of existing files (what `tarmac plan` compares against the
/// bundle's manifest), in batches of one `sha256sum` each, by index:
///
///     @fact digest <i> <64 hex>      file i's digest
///     @fact digest-batch <i> failed  the batch starting at i could not be read whole
///
/// `sha256sum` prints one line per file in argument order (names with a newline escaped on
/// that same line), so a batch's lines are numbered from its first index; a batch whose line
/// count differs (an unreadable file) is reported rather than misnumbered.
public enum DigestProgram {
    /// Renders the program for `paths` (absolute, regular files the probe saw).
    public static func render(paths: [String]) -> ShellScript {
        var script = ShellScript()
        script.comment("SHA-256 of files, in batches numbered from their first index.")
        script.run("exec", "3>&1")
        script.line("t_sum() {")
        script.line("  t_i=$1; shift; t_n=$#; t_seen=0")
        script.line("  t_out=$(sha256sum -- \"$@\" 2>/dev/null | cut -c1-65)")
        script.line("  for t_h in $t_out; do t_seen=$((t_seen + 1)); done")
        script.line(
            "  if [ \"$t_seen\" -ne \"$t_n\" ]; then printf '@fact digest-batch %s failed\\n' \"$t_i\"; return; fi")
        script.line(
            "  for t_h in $t_out; do printf '@fact digest %s %s\\n' \"$t_i\" \"${t_h#\\\\}\"; t_i=$((t_i + 1)); done")
        script.line("}")
        for range in ArgumentBatches.ranges(paths) {
            script.run(
                ShellCommand(
                    [.literal("t_sum"), .number(range.lowerBound)] + paths[range].map { ShellWord.quoted($0) }))
        }
        script.run("printf", "'@done 0\\n'")
        return script
    }

    /// Digests by index; files in a failed batch are absent.
    public static func parse(_ lines: [ProgramLine]) -> [Int: String] {
        var digests: [Int: String] = [:]
        for case .fact("digest", let value) in lines {
            let parts = value.split(separator: " ")
            guard parts.count == 2, let index = Int(parts[0]), parts[1].count == 64 else { continue }
            digests[index] = String(parts[1])
        }
        return digests
    }
}
