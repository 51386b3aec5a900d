import DICOM
import Foundation
import SegModelKit
import Testing
@testable import SegDaemon

@Suite struct RetryPolicyTests {
    let clock = ManualClock()

    @Test func backoffDoublesUpToTheCap() {
        let p = RetryPolicy(maxAttempts: 10, initialDelay: .seconds(30), multiplier: 2, maxDelay: .seconds(300))
        #expect((1...7).map { p.delay(afterAttempt: $0) }
                == [.seconds(30), .seconds(60), .seconds(120), .seconds(240), .seconds(300), .seconds(300), .seconds(300)])
        #expect(p.delay(afterAttempt: Int.max) == .seconds(300))
    }

    @Test func transientFailuresRetryUntilTheAttemptsAreUsedUp() {
        let p = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(10), multiplier: 3, maxDelay: .seconds(3600))
        let disk = FailureClassifier.classify(errno: ENOSPC, operation: "writing the SEG")
        #expect(disk.failureClass == .transient && !disk.quarantine)
        let t0 = clock.now
        guard case .retry(let attempt, let delay, let at) = p.decide(afterAttempt: 1, failure: disk, failedAt: t0) else {
            Issue.record("expected a retry"); return
        }
        #expect(attempt == 2 && delay == .seconds(10) && at == t0.advanced(by: .seconds(10)))
        clock.advance(by: .seconds(10))
        guard case .retry(3, .seconds(30), let at2) = p.decide(afterAttempt: 2, failure: disk, failedAt: clock.now) else {
            Issue.record("expected a second retry"); return
        }
        #expect(at2 == clock.now.advanced(by: .seconds(30)))
        guard case .giveUp(let reason) = p.decide(afterAttempt: 3, failure: disk, failedAt: clock.now) else {
            Issue.record("expected to give up"); return
        }
        #expect(reason.contains("3 attempts") && reason.contains("No space left"))
    }

    @Test func permanentFailuresNeverRetry() {
        let p = RetryPolicy()
        let bad = FailureClassifier.classify(DICOMError(.series, "4D series: 5 time points"))
        #expect(bad.failureClass == .permanent && bad.quarantine)
        guard case .giveUp(let reason) = p.decide(afterAttempt: 1, failure: bad, failedAt: clock.now) else {
            Issue.record("bad input must not retry"); return
        }
        #expect(reason.contains("4D series"))
    }

    @Test func classification() {
        #expect(FailureClassifier.classify(DICOMError(.io, "cannot list")).failureClass == .transient)
        #expect(FailureClassifier.classify(DICOMError(.notAnImage, "SR")).quarantine)
        #expect(FailureClassifier.classify(DICOMError(.segmentation, "empty UIDs")).quarantine)
        let plugin = FailureClassifier.classify(ModelError(.pluginLoadFailed, "dlopen failed"))
        #expect(plugin.failureClass == .permanent && !plugin.quarantine, "a broken plugin is not the input's fault")
        #expect(FailureClassifier.classify(ModelError(.unsupportedInput, "MR for a CT model")).quarantine)
        #expect(FailureClassifier.classify(errno: EACCES, operation: "open").failureClass == .permanent)
        #expect(FailureClassifier.classify(errno: EIO, operation: "read").failureClass == .transient)
        #expect(FailureClassifier.classify(POSIXError(.ENOSPC) as any Error).failureClass == .transient)
        #expect(FailureClassifier.classify(workerSignal: SIGKILL).failureClass == .transient)
        let segv = FailureClassifier.classify(workerSignal: SIGSEGV)
        #expect(segv.failureClass == .permanent && segv.quarantine)
        #expect(FailureClassifier.classify(timeoutIn: "inference", seconds: 60).reason.contains("timeouts.inference"))
        // A transient failure is never quarantined, whatever the caller asked.
        #expect(!JobFailure(.transient, quarantine: true, reason: "x").quarantine)
    }
}
