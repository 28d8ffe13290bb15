/// What a build stage did: the commands that ran, in order, and where its output is.
public struct BuildResult: Sendable {
    /// The temporary directory the build ran in; the caller removes it with `cleanup()`.
    public var workspace: BuildWorkspace
    /// The commit that was built.
    public var commit: String
    /// Every command that ran; when the build failed, the last one is the failure.
    public var commands: [BuildCommandResult]

    /// The command that failed and stopped the build, or nil when every command succeeded.
    public var failure: BuildCommandResult? { commands.last.flatMap { $0.succeeded ? nil : $0 } }

    public var succeeded: Bool { failure == nil }

    /// The export the commands ran in, where `bundle.root` is resolved; nil when the build failed.
    public var outputDirectory: String? { succeeded ? workspace.sourceDirectory : nil }
}
