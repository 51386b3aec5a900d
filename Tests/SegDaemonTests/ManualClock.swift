import Synchronization

/// A `Clock` that moves only when a test advances it: timers are tested without sleeping.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func advance(by d: Duration) { current.withLock { $0 = $0.advanced(by: d) } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        // Tests never sleep on this clock; if one does, it must not hang.
        while now < deadline {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}
