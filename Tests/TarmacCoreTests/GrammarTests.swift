import Testing

@testable import TarmacCore

/// ACL entries, SELinux ranges and modes: parsing and canonical rendering.
@Suite struct GrammarTests {
    @Test(arguments: [
        ("d:u:bob:7", "default:user:bob:rwx"),
        ("m:0", "mask::---"),
        ("m::7", "mask::rwx"),
        ("mask::r-x", "mask::r-x"),
        ("u:bob:rw", "user:bob:rw-"),
        ("bob:5", "user:bob:r-x"),
        ("g:ops:r--", "group:ops:r--"),
        ("group:ops:xxrr", "group:ops:r-x"),
        ("default:group:www:6", "default:group:www:rw-"),
        ("d:u::7", "default:user::rwx"),
        ("d:o::4", "default:other::r--"),
        ("d:m:7", "default:mask::rwx"),
    ])
    func aclCanonical(_ input: String, _ expected: String) throws {
        let entry = try ACLEntry.parse(input).get()
        #expect(entry.description == expected)
    }

    @Test(arguments: [
        ("u::7", ACLEntry.Problem.baseEntry),
        ("g::7", .baseEntry),
        ("o:7", .baseEntry),
        ("other::5", .baseEntry),
        (":7", .baseEntry),
        ("7", .malformed),
        ("a:b:c:d:e", .malformed),
        ("x:u:bob:7", .malformed),
        ("m:bob:7", .malformed),
        ("o:bob:7", .malformed),
        ("u:bob:", .malformed),
        ("u:bob:8", .invalidCharacter("8")),
        ("u:bob:rwz", .invalidCharacter("z")),
    ])
    func aclRejected(_ input: String, _ problem: ACLEntry.Problem) {
        #expect(throws: problem) { try ACLEntry.parse(input).get() }
    }

    @Test(arguments: [
        ("s3-s7:c17,c5,c8.c10", "s3-s7:c5,c8.c10,c17"),
        ("s0", "s0"),
        ("s2-s2", "s2"),
        ("s0:c0,c1", "s0:c0,c1"),
        ("s0:c0,c1,c2", "s0:c0.c2"),
        ("s0-s15:c0.c1023", "s0-s15:c0.c1023"),
        ("s1:c9,c3.c4,c1", "s1:c1,c3,c4,c9"),
    ])
    func rangeCanonical(_ input: String, _ expected: String) throws {
        #expect(try SELinuxRange.parse(input).get().description == expected)
    }

    @Test(arguments: [
        ("s7-s3", SELinuxRange.Problem.sensitivityOrder("s7-s3")),
        ("s0-", .emptyPart("s0-")),
        ("s0:", .emptyPart("")),
        ("s0:c1,,c2", .emptyPart("")),
        ("s0:c1.", .emptyPart("c1.")),
        ("x0", .invalidSensitivity("x0")),
        ("s0-s1-s2", .emptyPart("s0-s1-s2")),
        ("s0:c1024", .invalidCategory("c1024")),
        ("s0:k1", .invalidCategory("k1")),
        ("s0:c9.c3", .categoryOrder("c9.c3")),
        ("s0:c1,c0.c2", .duplicateCategory(1)),
    ])
    func rangeRejected(_ input: String, _ problem: SELinuxRange.Problem) {
        #expect(throws: problem) { try SELinuxRange.parse(input).get() }
    }

    @Test(arguments: [
        ("644", "0644"), ("0644", "0644"), ("12", "0012"), ("0000", "0000"), ("4755", "4755"), ("7", "0007"),
    ])
    func modeParsing(_ input: String, _ expected: String) throws {
        #expect(try FileMode.parse(input).get().description == expected)
    }

    @Test(arguments: [
        ("0955", FileMode.Problem.invalidCharacter("9")),
        ("12345", .tooLong(5)),
        ("", .empty),
        ("u+x", .invalidCharacter("u")),
    ])
    func modeRejected(_ input: String, _ problem: FileMode.Problem) {
        #expect(throws: FileMode.ProblemBox(problem)) { try FileMode.parse(input).get() }
    }
}
