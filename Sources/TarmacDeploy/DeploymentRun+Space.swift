import TarmacCore
import TarmacEngine

extension Run {
    /// Before anything is written: the deployment root's file system (as the probe found it)
    /// must hold `bundle.tar` and the unpacked revision side by side, as DownloadBundle needs.
    func spaceProblem() -> String? {
        guard request.events.contains(LifecycleEvent.downloadBundle.rawValue), let free = facts.freeBytes else {
            return nil
        }
        let bundle: Int64
        switch request.bundleSource {
        case .standardInput(let count): bundle = count
        case .localFile: bundle = request.localBundleByteCount ?? 0
        case .verifiedFile: bundle = request.keepBundle ? request.localBundleByteCount ?? 0 : 0
        }
        return Self.spaceProblem(
            host: transport.hostName, root: layout.root, free: free, bundle: bundle,
            unpacked: ByteSize.onDisk(request.files))
    }

    static func spaceProblem(host: String, root: String, free: Int64, bundle: Int64, unpacked: Int64) -> String? {
        let needed = bundle + unpacked
        guard free < needed else { return nil }
        return "\(host): not enough free space in \(root) to unpack the bundle: it needs \(ByteSize.text(needed)) "
            + "(\(needed) bytes: bundle.tar \(ByteSize.text(bundle)) and the unpacked revision \(ByteSize.text(unpacked))), "
            + "and only \(ByteSize.text(free)) (\(free) bytes) is free; nothing was written"
    }
}
