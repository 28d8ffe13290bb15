import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// Reads a host's installed base over its transport, with the protections of every record
/// tarmac reads back (`HostRecords`: the deployment root and its ancestors checked, each record
/// a regular file of root's or the deployment user's, writable by no one else), and the same
/// check of each directory from the deployment directory down to the archive's `.tarmac/`.
public struct DeltaBaseReader: Sendable {
    public let records: HostRecords

    public init(transport: any HostTransport, layout: HostLayout) {
        records = HostRecords(transport: transport, layout: layout)
    }

    /// The installed base, or nil when the group has no successful install here. Throws a
    /// `HostRecords.Problem` when a record or a directory is not safe to read.
    public func read() async throws -> InstalledBase? {
        let layout = records.layout
        guard let named = try await records.read(layout.lastSuccessfulFile, in: layout.instructions) else {
            return nil
        }
        let directory = String(decoding: named, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = layout.groupDirectory + "/"
        let name = directory.hasPrefix(prefix) ? String(directory.dropFirst(prefix.count)) : ""
        guard !name.isEmpty, name != ".", name != "..", !name.containsASCII("/") else {
            throw HostRecords.Problem(
                message:
                    "\(layout.lastSuccessfulFile) names \(directory), which is not a deployment directory of this group; check it",
                unsafe: true)
        }
        let archive = directory + "/deployment-archive"
        let reserved = archive + "/" + BundleManifest.reservedDirectory
        // Each directory on the way is checked as the records are, in the program that reads them.
        let read = try await records.read(
            [archive + "/" + BundleManifest.checksumMemberPath, archive + "/" + BundleManifest.memberPath],
            directories: [directory, archive, reserved])
        return InstalledBase.from(directory: directory, checksum: read[0], manifest: read[1])
    }

    /// A file of the base revision's archive (the AppSpec a delta does not carry), read as a record.
    public func readArchiveFile(_ base: InstalledBase, path: String) async throws -> [UInt8]? {
        let archive = base.deploymentDirectory + "/deployment-archive"
        let full = archive + "/" + path
        let parent = String(full[..<(full.lastIndex(of: "/") ?? full.endIndex)])
        return try await records.read(full, in: parent)
    }
}
