import Foundation
import TarmacCore

/// How deploy, apply and plan show what DownloadBundle sends a host.
enum TransferText {
    /// `{kind, bytes, base_revision?, reason?, files_reused, files_sent}`: the `Transfer`'s own
    /// JSON (as `show --json` has it), as an object to put in a larger one.
    static func json(_ transfer: Transfer) -> [String: Any] {
        guard let data = try? JSONEncoder().encode(transfer),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { preconditionFailure("a Transfer always encodes as a JSON object") }
        return object
    }
}
