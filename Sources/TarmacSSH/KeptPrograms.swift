import Crypto
import Foundation

/// The runner's copy of what each host keeps in `RemoteCommand.keptDirectory`: the last text
/// of every program name sent to it, so the next one can go as an edit (`ProgramEdit`).
///
/// A copy that no longer matches the host's (another runner deployed there, the host's cache
/// was cleared) only costs a miss: the host checks every text it rebuilds. Files are replaced
/// whole (written aside, then renamed), so concurrent runners never read half a text.
public struct KeptPrograms: Sendable {
    /// One directory per host under it (`<repository>/.tarmac/programs` for deployments).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The text last sent to `endpoint` under `name`, if this runner knows it.
    func text(for endpoint: SSHEndpoint, name: String) -> [UInt8]? {
        guard Self.isPlainName(name) else { return nil }
        return FileManager.default.contents(atPath: path(endpoint, name)).map { [UInt8]($0) }
    }

    /// Records that `endpoint` now keeps `text` under `name` (best effort: a runner that cannot
    /// write here sends whole programs).
    func remember(_ text: [UInt8], for endpoint: SSHEndpoint, name: String) {
        guard Self.isPlainName(name) else { return }
        let file = path(endpoint, name)
        try? FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data(text).write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    /// Forgets what `endpoint` keeps under `name` (its copy is not what the host has).
    func forget(for endpoint: SSHEndpoint, name: String) {
        guard Self.isPlainName(name) else { return }
        try? FileManager.default.removeItem(atPath: path(endpoint, name))
    }

    /// Names tarmac gives its programs: letters, digits, `.`, `_`, `-`, not starting with `.`.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    /// `<directory>/<user@address:port, readable>-<digest>/<name>`: the digest tells apart
    /// hosts whose readable parts agree (the same address behind different jump hosts).
    private func path(_ endpoint: SSHEndpoint, _ name: String) -> String {
        let identity =
            ([endpoint] + endpoint.jumps).map { "\($0.user)@\($0.address):\($0.port)" }.joined(separator: ",")
        let readable = String(
            identity.unicodeScalars.prefix(80).map { scalar -> Character in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || ".@:-_".unicodeScalars.contains(scalar)
                    ? Character(scalar) : "_"
            })
        let digest = SHA256.hash(data: Data(identity.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return directory + "/" + readable + "-" + digest + "/" + name
    }
}
