import TarmacDeploy

/// How deploy, apply and plan show what DownloadBundle sends a host.
enum TransferText {
    /// `{kind, bytes, base_revision?, reason?, files_reused, files_sent}`.
    static func json(_ transfer: Transfer) -> [String: Any] {
        var object: [String: Any] = ["kind": transfer.kind.rawValue, "bytes": transfer.bytes]
        if let base = transfer.baseRevision { object["base_revision"] = base }
        if let reason = transfer.reason { object["reason"] = reason }
        if transfer.kind == .delta {
            object["files_reused"] = transfer.reusedFiles
            object["files_sent"] = transfer.sentFiles
        }
        return object
    }
}
