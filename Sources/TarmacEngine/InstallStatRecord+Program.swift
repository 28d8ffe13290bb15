extension InstallStatRecord {
    /// A file Install wrote or kept, and the SHA-256 of the content it has.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// The files of `planned` (`InstalledRecord.planned`): what Install leaves as the revision's.
    public static func entries(_ planned: [InstalledRecord.Planned]) -> [Entry] {
        planned.compactMap {
            if case .file(let path, let sha256) = $0 { return Entry(path: path, sha256: sha256) }
            return nil
        }
    }

    /// Files whose `stat` is taken from one directory: `directory` is entered without following
    /// a link a non-root user could have planted (`t_in`), and the files are named from there
    /// through `below`, the directories on the way.
    struct Group: Equatable {
        var directory: String
        var below: [String] = []
        var files: [(relative: String, sha256: String)] = []

        static func == (a: Group, b: Group) -> Bool {
            a.directory == b.directory && a.below == b.below && a.files.map(\.relative) == b.files.map(\.relative)
        }
    }

    /// The end of Install's program. A kept file's line is the `stat` Install checked it
    /// against before it changed anything (`keepChecks`). Every other file is stat'ed: per
    /// group, the directories on the way are checked to be
    /// directories owned by root (or the user Install runs as) and writable by no one else,
    /// before and after the files' `stat` (one per batch): no one else can have swapped one
    /// for a link meanwhile, and a rename would have moved its change time on. A group that
    /// fails that, or a batch that cannot be stat'ed whole, is left out (its files are hashed
    /// next time). Then the record, through `mktemp` and a rename; a record that cannot be
    /// written is no failure.
    static func program(_ entries: [Entry], plan: InstallPlan, file: String) -> ShellScript {
        var s = ShellScript()
        guard !entries.isEmpty else { return s }
        s.comment("What Install left, by stat, for the next deployment: \(entries.count) files.")
        let slash = file.lastIndex(of: "/") ?? file.startIndex
        let template = file[..<slash] + "/." + file[file.index(after: slash)...] + ".XXXXXX"
        s.run("t_srec_open", .quoted(String(template)))
        // A kept file's stat is the one Install checked it against before it changed anything.
        var stats: [String: String] = [:]
        for case .keepFile(let path, let stat) in plan.steps where !stat.isEmpty && !stat.containsASCII("\n") {
            stats[path] = stat
        }
        let kept = entries.filter { stats[$0.path] != nil && isDigest($0.sha256) }
        for range in ArgumentBatches.ranges(kept.count, size: { 65 + stats[kept[$0].path]!.utf8.count }) {
            let batch = kept[range]
            s.run(
                ShellCommand(
                    ["t_srec_known", .quoted(batch.map { $0.sha256.lowercased() }.joined(separator: " "))]
                        + batch.map { .quoted(stats[$0.path]!) }))
        }
        for group in groups(entries.filter { stats[$0.path] == nil }, plan: plan) {
            s.run(ShellCommand(["t_srec_in", .quoted(group.directory)] + group.below.map { .quoted($0) }))
            for range in ArgumentBatches.ranges(group.files.count, size: { 65 + group.files[$0].relative.utf8.count }) {
                let batch = group.files[range]
                s.run(
                    ShellCommand(
                        ["t_srec", .quoted(batch.map(\.sha256).joined(separator: " "))]
                            + batch.map { .quoted($0.relative) }))
            }
            s.run(ShellCommand(["t_srec_out"] + group.below.map { .quoted($0) }))
        }
        s.run("t_srec_close", .quoted(file))
        return s
    }

    /// The files by the directory their `stat` is taken from, in plan order: the parent of
    /// the topmost of the directories above a file that this install makes or keeps and no
    /// permission entry changes (root's, 0755, as the program checks), paths relative to it.
    static func groups(_ entries: [Entry], plan: InstallPlan) -> [Group] {
        var safe: Set<String> = []
        for step in plan.steps {
            switch step {
            case .makeDirectory(let path), .keepDirectory(let path, _): safe.insert(path)
            default: continue
            }
        }
        safe.subtract(plan.permissions.map(\.path))
        var groups: [Group] = []
        var at: [String: Int] = [:]
        var seen: [Set<String>] = []
        // The walk up from a directory, once per directory (files share their parents).
        var walks: [String: (anchor: String, way: [String])] = [:]
        for entry in entries where isDigest(entry.sha256) {
            let parent = InstallGroup.split(entry.path).directory
            let (anchor, way) =
                walks[parent]
                ?? {
                    var anchor = parent
                    var way: [String] = []
                    while anchor != "/", safe.contains(anchor) {
                        way.append(anchor)
                        anchor = InstallGroup.split(anchor).directory
                    }
                    walks[parent] = (anchor, way)
                    return (anchor, way)
                }()
            let cut = anchor == "/" ? 1 : anchor.utf8.count + 1
            let relative = { (path: String) in "./" + String(decoding: path.utf8.dropFirst(cut), as: UTF8.self) }
            if at[anchor] == nil {
                at[anchor] = groups.count
                groups.append(Group(directory: anchor))
                seen.append([])
            }
            let index = at[anchor]!
            for directory in way.reversed() where seen[index].insert(directory).inserted {
                groups[index].below.append(relative(directory))
            }
            groups[index].files.append((relative(entry.path), lowercaseHex(entry.sha256)))
        }
        return groups
    }

    /// 64 hex digits, either case (bytes compared, not characters).
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0)
            }
    }

    /// A digest in lower case; one that already is (a manifest's always is) is not copied.
    static func lowercaseHex(_ text: String) -> String {
        text.utf8.contains { (0x41...0x46).contains($0) } ? text.lowercased() : text
    }
}

extension InstallStatRecord {
    /// The shell side of `program`; fixed text, no data. A group's digests (hex words) and
    /// `stat` lines are held until its directories passed the second check, then appended to
    /// two files side by side, joined by one `paste` at the end; the fence is the record's own
    /// change time once every `stat` is in it.
    static func helpers() -> ShellScript {
        var s = ShellScript()
        s.line("t_nl=$(printf '\\n.'); t_nl=${t_nl%.}")
        s.line("t_sr= t_srd= t_srs= t_sok= t_sv= t_sdb= t_sacc= t_sdig=")
        s.line("t_srec_open() {")
        s.line("  t_sr=$(mktemp -- \"$1\" 2>/dev/null) && t_srd=$(mktemp -- \"$1\" 2>/dev/null) &&")
        s.line("    t_srs=$(mktemp -- \"$1\" 2>/dev/null) || t_srec_drop")
        s.line("}")
        s.line("t_srec_drop() { rm -f -- ${t_sr:+\"$t_sr\"} ${t_srd:+\"$t_srd\"} ${t_srs:+\"$t_srs\"}; t_sr=; }")
        // The directories on the way: each one root's (or ours), no group or other write, no link.
        s.line("t_srec_dirs() {")
        s.line("  t_sv=")
        s.line("  [ $# -gt 0 ] || return 0")
        s.line("  t_sv=$(stat -c '%A:%u:%d:%i:%.9Z' -- \"$@\" 2>/dev/null) || return 1")
        s.line("  t_sifs=$IFS; IFS=$t_nl; t_sbad=")
        s.line("  for t_l in $t_sv; do")
        s.line("    case $t_l in d????[!w]??[!w]?:0:* | d????[!w]??[!w]?:\"$t_uid\":*) ;; *) t_sbad=1 ;; esac")
        s.line("  done")
        s.line("  IFS=$t_sifs")
        s.line("  [ -z \"$t_sbad\" ]")
        s.line("}")
        s.line("t_srec_in() {")
        s.line("  t_sok= t_sacc= t_sdig=")
        s.line("  [ -n \"$t_sr\" ] && t_in \"$1\" || return 0")
        s.line("  shift")
        s.line("  t_srec_dirs \"$@\" || return 0")
        s.line("  t_sdb=$t_sv t_sok=1")
        s.line("}")
        s.line("t_srec() {")
        s.line("  [ -n \"$t_sok\" ] || return 0")
        s.line("  t_sd=$1; shift")
        s.line("  t_so=$(stat -c '%d:%i:%h:%u:%g:%f:%s:%.9Z' -- \"$@\" 2>/dev/null) || return 0")
        s.line("  t_sacc=$t_sacc$t_so$t_nl t_sdig=\"$t_sdig $t_sd\"")
        s.line("}")
        s.line("t_srec_known() {")
        s.line("  [ -n \"$t_sr\" ] || return 0")
        s.line("  t_sd=$1; shift")
        s.line("  printf '%s\\n' $t_sd >> \"$t_srd\" && printf '%s\\n' \"$@\" >> \"$t_srs\" || t_srec_drop")
        s.line("}")
        s.line("t_srec_out() {")
        s.line("  [ -n \"$t_sok\" ] || return 0")
        s.line("  t_sok=")
        s.line("  t_srec_dirs \"$@\" && [ \"$t_sv\" = \"$t_sdb\" ] && [ -n \"$t_sacc\" ] || return 0")
        s.line("  printf '%s\\n' $t_sdig >> \"$t_srd\" && printf '%s' \"$t_sacc\" >> \"$t_srs\" || t_srec_drop")
        s.line("}")
        s.line("t_srec_close() {")
        s.line("  [ -n \"$t_sr\" ] || return 0")
        s.line(
            "  if { printf '%s\\n' 'tarmac-install-stat 1' && paste -d ' ' -- \"$t_srd\" \"$t_srs\"; } > \"$t_sr\" &&")
        s.line("    t_sf=$(stat -c %.9Z -- \"$t_sr\") && printf 'fence %s\\n' \"$t_sf\" >> \"$t_sr\" &&")
        s.line("    mv -fT -- \"$t_sr\" \"$1\"; then t_sr=; fi")
        s.line("  t_srec_drop")
        s.line("}")
        return s
    }
}
