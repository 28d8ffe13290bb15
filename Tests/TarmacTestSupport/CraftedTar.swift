import Foundation

/// Tar archives crafted the way an attacker would, with Python's tarfile: members tarmac's own
/// writer never writes (links out of the tree, duplicates, devices, huge sparse files). For the
/// hostile-input suites.
public enum CraftedTar {
    /// Writes `name` in a fresh temporary directory and returns its path. `members` is Python:
    /// calls of `add(name, data=b"x", type=..., linkname=..., mode=...)` and `big(name, size)`
    /// (a member of `size` zero bytes); `arguments` are `sys.argv[2...]` to them.
    public static func write(
        _ members: String, format: String = "w:gz", name: String = "bundle.tar.gz", label: String = "crafted",
        arguments: [String] = []
    ) throws -> String {
        let dir = try TestPaths.temporaryDirectory(label)
        let script = """
            import io, tarfile, sys
            with tarfile.open(sys.argv[1], "\(format)", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as t:
                def add(name, data=b"x", **kw):
                    info = tarfile.TarInfo(name)
                    info.mode = 0o644
                    for k, v in kw.items(): setattr(info, k, v)
                    info.size = len(data) if info.type == tarfile.REGTYPE else 0
                    t.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
                def big(name, size):
                    info = tarfile.TarInfo(name)
                    info.size = size
                    class Zeros(io.RawIOBase):
                        def readable(self): return True
                        def readinto(self, b):
                            b[:] = bytes(len(b)); return len(b)
                    t.addfile(info, io.BufferedReader(Zeros()))
            \(members.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        try runCommand("python3", ["-c", script, dir + "/" + name] + arguments, check: true)
        return dir + "/" + name
    }

    /// Removes a crafted archive with its directory.
    public static func remove(_ archive: String) {
        try? FileManager.default.removeItem(atPath: (archive as NSString).deletingLastPathComponent)
    }
}
