/// The `pipeline` section: which commits run, how overlapping runs behave, build and stages.
public struct Pipeline: Sendable, Equatable {
    /// How a run that starts while another is going is handled.
    public enum Mode: String, Sendable, CaseIterable, Hashable {
        case queued = "QUEUED"
        case superseded = "SUPERSEDED"
    }

    /// Which commits start a run from the post-commit hook.
    public struct Trigger: Sendable, Equatable {
        public var branches: [String]
        /// When given, only commits touching one of these paths start a run.
        public var paths: [String]?

        /// Creates a trigger; the default is the `main` branch.
        public init(branches: [String] = ["main"], paths: [String]? = nil) {
            self.branches = branches
            self.paths = paths
        }
    }

    /// The optional build step, run in a clean export of the commit.
    public struct Build: Sendable, Equatable {
        public var commands: [String]
        /// Seconds before the build is stopped; nil for no limit.
        public var timeout: Int?

        /// Creates a build step.
        public init(commands: [String], timeout: Int? = nil) {
            self.commands = commands
            self.timeout = timeout
        }
    }

    /// One stage after source and build.
    public enum Stage: Sendable, Equatable {
        case deploy(group: String, location: SourceLocation)
        case approval(message: String?, location: SourceLocation)
    }

    public var trigger: Trigger
    public var mode: Mode
    public var build: Build?
    public var stages: [Stage]

    /// Creates a pipeline.
    public init(trigger: Trigger = Trigger(), mode: Mode = .queued, build: Build? = nil, stages: [Stage] = []) {
        self.trigger = trigger
        self.mode = mode
        self.build = build
        self.stages = stages
    }
}
