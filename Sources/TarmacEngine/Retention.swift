/// Which old deployment directories DownloadBundle deletes (spec §4.9, CodeDeploy's arithmetic).
public enum Retention {
    /// The absolute paths to delete, oldest first: `extra = others − maxRevisions + 1` of the
    /// directories other than the current one, never the last-successful one; ties in mtime
    /// are broken by name so the answer is deterministic.
    public static func directoriesToDelete(
        facts: HostFacts, currentDeploymentID: String, maxRevisions: Int, layout: HostLayout
    ) -> [String] {
        let others = facts.deployments.filter { $0.name != currentDeploymentID && isPlainName($0.name) }
        let extra = others.count - max(maxRevisions, 1) + 1
        guard extra > 0 else { return [] }
        let lastSuccessful = facts.lastSuccessful.map(normalised)
        let candidates =
            others
            .filter { normalised(layout.deploymentDirectory($0.name)) != lastSuccessful }
            .sorted { ($0.mtime, $0.name) < ($1.mtime, $1.name) }
        return candidates.prefix(extra).map { layout.deploymentDirectory($0.name) }
    }

    /// A single path component that names an entry of the group directory itself.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.containsASCII("/") && !name.containsASCII("\0")
    }

    private static func normalised(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
