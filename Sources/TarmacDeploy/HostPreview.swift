import Foundation
import TarmacCore
import TarmacEngine
import TarmacHost

/// What `tarmac plan` shows for one host: the file changes an install would make and which
/// revision's scripts each event would run. Producing it changes nothing on the host (no lock).
public struct HostPreview: Sendable {
    /// One event's scripts and the revision they come from.
    public struct EventScripts: Sendable, Equatable {
        public var event: String
        /// "new revision", "last successful revision (<deployment id>)", or why none runs.
        public var revision: String
        public var scripts: [String]
    }

    /// Nil when the plan was refused (see `problems`).
    public var install: InstallPreview?
    public var events: [EventScripts] = []
    public var problems: [HostProblem] = []
    public var warnings: [String] = []
    /// Who holds the host's lock right now, if anyone.
    public var lock: HostFacts.Lock?
    public var freeBytes: Int64?
    /// What DownloadBundle would send: a delta from the installed revision, or the full bundle.
    public var transfer: Transfer?
}
