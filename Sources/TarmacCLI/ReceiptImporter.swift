import Foundation
import TarmacCore
import TarmacSSH
import TarmacSigning

/// Reads and verifies receipt files for `tarmac receipts import`: every file first, so one
/// refusal records none.
struct ReceiptImporter {
    /// A receipt ready to record, with how it was verified.
    struct Checked {
        var receipt: Receipt
        var note: String
    }

    let knownHostsPath: String
    let hostOverride: String?
    let trustUnsigned: Bool

    func check(_ paths: [String]) throws -> [Checked] {
        let known: KnownHosts
        do {
            known = try KnownHosts.load(path: knownHostsPath)
        } catch {
            throw ReceiptError("\(error)")
        }
        return try paths.map { try check($0, known: known) }
    }

    private func check(_ path: String, known: KnownHosts) throws -> Checked {
        let data = try Self.read(path, limit: 16 << 20)
        let receipt = try Receipt.parse(data, source: path)
        let signature =
            FileManager.default.fileExists(atPath: path + ".sig")
            ? String(decoding: try Self.read(path + ".sig", limit: 64 << 10), as: UTF8.self) : nil
        let name = hostOverride ?? receipt.host.name
        let verdict = ReceiptVerification.verify(
            data, signature: signature, source: path, namespace: Receipt.namespace, claimedKey: receipt.host.hostKey,
            unsignedReason: receipt.signing.reason
        ) { key in
            let hostKey = HostKey(type: key.algorithm, blob: key.wireBlob)
            let (host, port) = Self.split(name)
            switch known.verdict(for: hostKey, host: host, port: port) {
            case .trusted(let line): return .trusted(where: "\(known.path):\(line)")
            case .revoked(let line): return .revoked(where: "\(known.path):\(line)")
            case .mismatch(let line, _): return .otherKey(where: "\(known.path):\(line)")
            case .unknown: return .unknown
            }
        }
        switch verdict {
        case .verified(let fingerprint):
            return Checked(receipt: receipt, note: "receipt verified: signed by host key \(fingerprint) of \(name)")
        case .unverified(let reason):
            guard trustUnsigned else {
                throw ReceiptError(
                    "\(reason) (host \(name) in \(known.path)); pass --trust-unsigned to record it as unverified")
            }
            return Checked(receipt: receipt, note: "receipt UNVERIFIED: \(reason)")
        case .refused(let reason):
            throw ReceiptError(reason)
        }
    }

    /// `[name]:port` → (name, port); anything else is the name on port 22.
    static func split(_ name: String) -> (String, Int) {
        guard name.hasPrefix("["), let close = name.firstIndex(of: "]"),
            name[close...].hasPrefix("]:"), let port = Int(name[name.index(close, offsetBy: 2)...])
        else { return (name, 22) }
        return (String(name[name.index(after: name.startIndex)..<close]), port)
    }

    /// A regular file of at most `limit` bytes.
    static func read(_ path: String, limit: Int) throws -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ReceiptError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw ReceiptError("\(path) is not a regular file") }
        guard info.st_size <= limit else { throw ReceiptError("\(path) is \(info.st_size) bytes, too large") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReceiptError("cannot read \(path)")
        }
        return data
    }
}
