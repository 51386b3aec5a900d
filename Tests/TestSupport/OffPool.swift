import Foundation

/// Runs a long, blocking test body (waiting on processes, sleeping between polls, minutes of computation) on a
/// dispatch queue of its own instead of one of the few threads of Swift's cooperative pool. Suites run in
/// parallel; a test that blocks the pool starves the async tests beside it (the control server answers through
/// async code). The body stays in the test's task, so `#expect` and `#require` report to the test as usual.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(QueueExecutor()) { try body() }
}

/// A task executor that runs every job on its own serial dispatch queue.
final class QueueExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "segd.tests.off-pool")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
