import TarmacEngine

extension Run {
    /// Hashes, in one more program, the previous install's files that Install may leave alone
    /// (`InstallPlanner.pathsToVerify`); nothing runs on a first install. A file the host
    /// cannot hash is not kept: it is installed anew.
    mutating func verifyDigests(_ options: InstallOptions) async {
        let paths = InstallPlanner.pathsToVerify(
            spec: request.appspec, files: request.files, facts: facts, options: options)
        guard !paths.isEmpty, let outcome = try? await run(DigestProgram.render(paths: paths), event: "probe")
        else { return }
        for (index, digest) in DigestProgram.parse(outcome.lines) where paths.indices.contains(index) {
            facts.digests[paths[index]] = digest
        }
    }
}
