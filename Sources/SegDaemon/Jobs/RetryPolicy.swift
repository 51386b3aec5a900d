/// When to try a failed job again: exponential backoff with a cap and an attempt limit.
///
/// Delay before attempt n+1 (after the n-th failure, n >= 1) = min(maxDelay, initialDelay * multiplier^(n-1)).
/// No jitter: one daemon retries its own jobs, there is no herd to spread. Pure: the caller passes the instant
/// of the failure, from whatever clock it runs on.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 = never retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, initialDelay: Duration = .seconds(30), multiplier: Double = 2,
                maxDelay: Duration = .seconds(1800)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = max(.zero, initialDelay)
        self.multiplier = max(1, multiplier)
        self.maxDelay = max(self.initialDelay, maxDelay)
    }

    /// What to do after a failure.
    public enum Decision<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
        /// Try again at `at` (attempt number `attempt`, counted from 1).
        case retry(attempt: Int, delay: Duration, at: Instant)
        /// Stop: the failure is permanent, or the attempts are used up. `reason` says which.
        case giveUp(reason: String)
    }

    /// The delay after the `failedAttempt`-th failure (1-based).
    public func delay(afterAttempt failedAttempt: Int) -> Duration {
        let n = max(1, failedAttempt)
        let initial = initialDelay.secondsValue
        let cap = maxDelay.secondsValue
        // Stop multiplying once past the cap, so huge attempt numbers cannot overflow to inf/NaN.
        var seconds = initial
        var k = 1
        while k < n && seconds < cap {
            seconds *= multiplier
            k += 1
        }
        return seconds >= cap ? maxDelay : .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The decision after attempt `failedAttempt` (1-based) failed at `failedAt` with `failure`.
    public func decide<Instant: InstantProtocol>(afterAttempt failedAttempt: Int, failure: JobFailure,
                                                 failedAt: Instant) -> Decision<Instant>
        where Instant.Duration == Duration
    {
        switch failure.failureClass {
        case .permanent:
            return .giveUp(reason: "permanent failure, not retried: \(failure.reason)")
        case .transient:
            guard failedAttempt < maxAttempts else {
                return .giveUp(reason: "gave up after \(failedAttempt) attempts: \(failure.reason)")
            }
            let d = delay(afterAttempt: failedAttempt)
            return .retry(attempt: failedAttempt + 1, delay: d, at: failedAt.advanced(by: d))
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var secondsValue: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}
