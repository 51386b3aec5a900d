#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Number of threads NN's own loops and OpenBLAS use.
private let configuredThreads = Atomic<Int>(0)

/// Sets how many threads NN uses (its own loops and OpenBLAS). Values below 1 are treated as 1.
public func setThreadCount(_ count: Int) {
    let n = max(1, count)
    configuredThreads.store(n, ordering: .relaxed)
    BLAS.setThreads(n)
}

/// The number of threads NN uses. Defaults to the number of online processors.
public func threadCount() -> Int {
    let n = configuredThreads.load(ordering: .relaxed)
    if n > 0 { return n }
    let d = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    setThreadCount(d)
    return d
}

/// Runs `body(chunkIndex, range)` over `0..<count` split into at most `threadCount()` contiguous chunks,
/// in parallel. `minChunk` keeps tiny loops single-threaded.
func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let threads = min(threadCount(), max(1, count / max(1, minChunk)))
    if threads <= 1 {
        body(0..<count)
        return
    }
    let chunks = threads
    // The kernels capture raw pointers (not Sendable); each chunk touches a disjoint range by construction.
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendable(escaping)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`; callers guarantee disjoint writes.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body(i)` for every `i` in `0..<count`, spread over the threads in contiguous blocks.
func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
    parallelChunks(count, minChunk: minChunk) { r in for i in r { body(i) } }
}

/// The OpenBLAS kernel family in use (e.g. "Cooperlake", "Haswell"), for benchmark reports.
public var blasCoreName: String { BLAS.coreName }
