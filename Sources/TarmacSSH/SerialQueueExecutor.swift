import Dispatch

/// A serial executor running jobs on a private dispatch queue, so an actor's blocking libssh2
/// calls occupy that queue's thread instead of one of the cooperative pool's few threads.
/// (`DispatchSerialQueue` would do this, but it does not exist on Linux.)
final class SerialQueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
