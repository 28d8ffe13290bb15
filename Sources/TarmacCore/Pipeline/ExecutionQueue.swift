/// The rules for executions that overlap, as pure functions of what the history holds.
///
/// One execution at a time holds the pipeline (builds and deploys). The others wait:
/// `queued` for the stage they run next, or `awaitingApproval` at a gate (holding nothing).
/// The oldest waiting execution goes first, so QUEUED passes commits in order. In SUPERSEDED
/// mode a waiting execution is replaced as soon as a newer one waits for, or enters, the
/// same stage or a later one; a running execution is never interrupted.
public enum ExecutionQueue {
    /// One execution as the queue sees it.
    public struct Entry: Sendable, Equatable {
        public var id: String
        /// Creation order: commit order for the post-commit hook.
        public var sequence: Int64
        public var state: ExecutionState
        /// Position of the stage it runs next (or waits at).
        public var nextStage: Int

        public init(id: String, sequence: Int64, state: ExecutionState, nextStage: Int) {
            self.id = id
            self.sequence = sequence
            self.state = state
            self.nextStage = nextStage
        }
    }

    /// The waiting executions that a newer live one has caught up with (SUPERSEDED mode):
    /// every `queued` or `awaitingApproval` entry with a newer entry queued for, running, or
    /// waiting at the same stage or a later one. Pending entries (trigger not read yet) count for nothing.
    public static func superseded(_ entries: [Entry], mode: Pipeline.Mode) -> [String] {
        guard mode == .superseded else { return [] }
        let live = entries.filter { $0.state == .queued || $0.state == .running || $0.state == .awaitingApproval }
        return entries.filter { old in
            (old.state == .queued || old.state == .awaitingApproval)
                && live.contains { $0.sequence > old.sequence && $0.nextStage >= old.nextStage }
        }.map(\.id)
    }

    /// The executions `me` (queued) must let go first: a running one, and older ones still
    /// queued or pending (a pending one is about to queue or be skipped). Empty means it is
    /// `me`'s turn (when the pipeline lock is free too).
    public static func ahead(of me: Entry, among others: [Entry]) -> [String] {
        others.filter { other in
            other.id != me.id
                && (other.state == .running
                    || ((other.state == .queued || other.state == .pending) && other.sequence < me.sequence))
        }.map(\.id)
    }

    /// In QUEUED mode, the older executions still waiting at or before the approval `me`
    /// waits at: approving `me` first would promote a newer commit ahead of an older one.
    public static func approvalBlockers(of me: Entry, among others: [Entry], mode: Pipeline.Mode) -> [String] {
        guard mode == .queued else { return [] }
        return others.filter { other in
            other.id != me.id && other.sequence < me.sequence && !other.state.isFinal
                && other.nextStage <= me.nextStage
        }.map(\.id)
    }
}
