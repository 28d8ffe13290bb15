import TarmacCore
import Testing

@Suite("EntrySafety: what may never be unpacked")
struct EntrySafetyTests {
    @Test(
        arguments: [
            ("a/b.txt", EntrySafety.Kind.file, nil),
            ("./a/", .directory, nil),
            ("..", .file, "climbs out"),
            ("a/../../b", .file, "climbs out"),
            ("/etc/passwd", .file, "absolute path"),
            ("dev", .special("character device"), "device files"),
            ("l", .symlink(target: "/etc"), "escapes the bundle"),
            ("a/l", .symlink(target: "../../x"), "escapes the bundle"),
            ("a/l", .symlink(target: "../x"), nil),
            ("a/b/l", .symlink(target: "../../c/./d"), nil),
            ("h", .hardlink(target: "/etc/shadow"), "out of the tree"),
            ("h", .hardlink(target: "a/../../x"), "out of the tree"),
            ("h", .hardlink(target: "a/b.txt"), nil),
        ] as [(String, EntrySafety.Kind, String?)])
    func singleMember(path: String, kind: EntrySafety.Kind, problem: String?) {
        var safety = EntrySafety()
        let found = safety.check(path: path, kind: kind)
        if let problem {
            #expect(found?.contains(problem) == true, "\(found ?? "nil")")
        } else {
            #expect(found == nil)
        }
    }

    @Test func membersBeneathAnEarlierSymlinkAreRefused() {
        var safety = EntrySafety()
        #expect(safety.check(path: "www", kind: .symlink(target: "html")) == nil)
        #expect(safety.check(path: "www/index.html", kind: .file)?.contains("goes through the symlink \"www\"") == true)
        #expect(safety.check(path: "html/index.html", kind: .file) == nil)
        #expect(safety.check(path: "bad", kind: .symlink(target: "/")) != nil)
        #expect(safety.check(path: "bad/x", kind: .file) != nil)
    }

    @Test func messagesShowControlCharactersEscaped() {
        var safety = EntrySafety()
        let found = safety.check(path: "/evil\nname", kind: .file)
        #expect(found == "absolute path \"/evil\\nname\"")
    }
}
