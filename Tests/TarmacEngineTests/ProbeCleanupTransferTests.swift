import Foundation
import TarmacEngine
import Testing

/// The cleanup file comes back from the probe as `base64` lines (`cleanup-b64`): every byte of
/// a large record exactly, NULs and newlines of escaped names included; a line that is not
/// base64, or a record cut short, is refused.
@Suite("Probe: the cleanup file in base64")
struct ProbeCleanupTransferTests {
    static let request = ProbeRequest(paths: ["/opt/app"])

    static func lines(_ bytes: [UInt8]) -> [ProgramLine] {
        let text = Data(bytes).base64EncodedString()
        var lines: [ProgramLine] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(.fact(key: "cleanup-b64", value: String(rest.prefix(76))))
            rest = rest.dropFirst(76)
        }
        return lines
    }

    @Test(arguments: [0, 1, 2])
    func aLargeRecordArrivesWhole(extra: Int) throws {
        var paths = (0..<700).map { "/opt/app/dir \($0 % 7)/file-\($0).txt" }
        paths += [
            "/opt/app/new\nline", "/opt/app/back\\slash", "/opt/app/nön-äscii",
            "/opt/app/" + String(repeating: "x", count: extra),
        ]
        let record = CleanupRecord(paths: paths, selinuxLabels: ["/opt/app/dir 1"])
        let bytes = record.render()
        let lines = Self.lines(bytes) + [.fact(key: "cleanup-size", value: "\(bytes.count)"), .done(status: 0)]
        #expect(lines.count > 100)
        #expect(try ProbeProgram.parse(lines, request: Self.request).cleanup == record)
    }

    @Test func notBase64OrCutShortIsRefused() throws {
        for bad in ["YQ=B", "YQ", "YQ==YQ==", "Y*==", "===="] {
            #expect(throws: ProbeError.malformed("@fact cleanup-b64 \(bad)")) {
                try ProbeProgram.parse(
                    [.fact(key: "cleanup-b64", value: bad), .fact(key: "cleanup-size", value: "1"), .done(status: 0)],
                    request: Self.request)
            }
        }
        let bytes = CleanupRecord(paths: (0..<100).map { "/opt/app/f\($0)" }).render()
        let cut = Array(Self.lines(bytes).dropLast())
        #expect(throws: ProbeError.self) {
            try ProbeProgram.parse(
                cut + [.fact(key: "cleanup-size", value: "\(bytes.count)"), .done(status: 0)], request: Self.request)
        }
    }
}
