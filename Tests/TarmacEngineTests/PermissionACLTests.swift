import TarmacCore
import TarmacEngine
import Testing

/// The full ACL handed to `setfacl --set` (spec §5.3).
@Suite struct PermissionACLTests {
    static func entries(_ texts: [String]) throws -> [ACLEntry] {
        try texts.map { try ACLEntry.parse($0).get() }
    }

    /// (AppSpec entries, mode, full list).
    static let table: [([String], UInt32, String)] = [
        // Pinned by the 1.x tests.
        (
            ["user:bob:rwx", "default:user:bob:rwx"], 0o421,
            "user:bob:rwx,default:user:bob:rwx,user::r--,group::-w-,other::--x,mask::-w-,"
                + "default:user::r--,default:group::-w-,default:other::--x,default:mask::-w-"
        ),
        // No named entry: no mask; a mask given is kept and not doubled.
        (["m::5"], 0o640, "mask::r-x,user::rw-,group::r--,other::---"),
        (["u:bob:7", "m:5"], 0o750, "user:bob:rwx,mask::r-x,user::rwx,group::r-x,other::---"),
        (["g:www:6"], 0o4755, "group:www:rw-,user::rwx,group::r-x,other::r-x,mask::r-x"),
        // Default base entries given are not synthesised; the default mask follows the default group.
        (
            ["d:g::5", "d:u:ann:7"], 0o700,
            "default:group::r-x,default:user:ann:rwx,user::rwx,group::---,other::---,"
                + "default:user::rwx,default:other::---,default:mask::r-x"
        ),
        // Default entries without a named one: no default mask.
        (["d:o::0"], 0o755, "default:other::---,user::rwx,group::r-x,other::r-x,default:user::rwx,default:group::r-x"),
    ]

    @Test(arguments: table)
    func fullList(_ texts: [String], _ mode: UInt32, _ expected: String) throws {
        #expect(PermissionACL.full(try Self.entries(texts), mode: mode).joined(separator: ",") == expected)
    }
}
