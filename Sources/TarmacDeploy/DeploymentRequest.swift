import TarmacCore
import TarmacEngine
import TarmacHost

/// Everything one host's deployment needs, decided before the host is contacted.
public struct DeploymentRequest: Sendable {
    public var deploymentID: String
    public var application: String
    public var groupName: String
    public var groupID: String
    public var layout: HostLayout
    /// The new revision's AppSpec, validated.
    public private(set) var appspec: AppSpec
    /// The revision's members, relative to its root.
    public private(set) var files: [BundleManifest.File]
    /// The AppSpec's mappings resolved against `files`, once for every host (set with both).
    public private(set) var mappings: InstallMappings
    /// Where the host finds the bundle's tar, and its SHA-256.
    public var bundleSource: BundleSource
    public var bundleSHA256: String
    /// The local file streamed to DownloadBundle when `bundleSource` is `.standardInput`.
    public var upload: ProgramInput?
    /// The size of a `.localFile` bundle source, for the free-space check before DownloadBundle.
    public var localBundleByteCount: Int64?
    /// The commit the bundle was built from, when it says (`BUNDLE_COMMIT`).
    public var commit: String?
    /// Events in order (LifecycleSequence).
    public var events: [DeploymentEvent]
    public var fileExistsBehavior: FileExistsBehavior
    public var ignoreApplicationStopFailures: Bool
    public var keepBundle: Bool
    public var maxRevisions: Int
    /// This process's pid when the runner is on the host itself (lets a stale lock be recognised).
    public var runnerPID: Int32?
    /// Deployments this build box knows were cut off (their tarmac died): a host lock one of them
    /// left, whose holder process the host also finds gone, is removed instead of refused.
    public var reclaimableLocks: Set<String> = []
    /// The bundle's revision as its manifest names it (for the receipt); nil: `commit`.
    public var revision: String?
    /// Where DownloadBundle finds a delta for a host's installed revision; nil: always the full bundle.
    public var deltas: (any DeltaProvider)?
    /// The newer revision this install goes below (`apply --allow-downgrade`), for the receipt.
    public var downgradeFrom: String?

    public init(
        deploymentID: String, application: String, groupName: String, groupID: String, layout: HostLayout,
        appspec: AppSpec, files: [BundleManifest.File], bundleSource: BundleSource, bundleSHA256: String,
        upload: ProgramInput? = nil, commit: String?, events: [DeploymentEvent],
        fileExistsBehavior: FileExistsBehavior = .disallow,
        ignoreApplicationStopFailures: Bool = false, keepBundle: Bool = false, maxRevisions: Int = 5,
        runnerPID: Int32? = nil
    ) {
        self.deploymentID = deploymentID
        self.application = application
        self.groupName = groupName
        self.groupID = groupID
        self.layout = layout
        self.appspec = appspec
        self.files = files
        self.mappings = InstallMappings(spec: appspec, files: files)
        self.bundleSource = bundleSource
        self.bundleSHA256 = bundleSHA256
        self.upload = upload
        self.commit = commit
        self.events = events
        self.fileExistsBehavior = fileExistsBehavior
        self.ignoreApplicationStopFailures = ignoreApplicationStopFailures
        self.keepBundle = keepBundle
        self.maxRevisions = maxRevisions
        self.runnerPID = runnerPID
    }

    /// The variables every hook of this deployment gets (spec §3.4 plus tarmac's extras).
    func hookEnvironment(event: DeploymentEvent, hostName: String) -> [String: String] {
        var environment = [
            "LIFECYCLE_EVENT": event.name,
            "DEPLOYMENT_ID": deploymentID,
            "APPLICATION_NAME": application,
            "DEPLOYMENT_GROUP_NAME": groupName,
            "DEPLOYMENT_GROUP_ID": groupID,
            "TARMAC_HOST_NAME": hostName,
            "TARMAC_DEPLOYMENT_ROOT": layout.root,
            "TARMAC_DEPLOYMENT_DIR": layout.deploymentDirectory(deploymentID),
        ]
        if let commit { environment["BUNDLE_COMMIT"] = commit }
        return environment
    }
}
