import DICOM
import Foundation
import SegModelKit
import SegdCore

/// Whether a failed attempt is worth repeating.
public enum FailureClass: String, Sendable, Hashable {
    /// The environment failed (disk full, I/O error, the worker was killed): retry with backoff.
    case transient
    /// The input or the model cannot work, however often we try: never retry. `quarantine` says whether the
    /// input is to blame (it goes to quarantine at once with the reason).
    case permanent
}

/// A classified failure: what happened, in words for `reason.txt` and `segctl job show`, and what to do.
public struct JobFailure: Sendable, Hashable {
    public var failureClass: FailureClass
    /// The input itself is bad (not DICOM, rejected geometry, 4D, ...): move it to quarantine.
    public var quarantine: Bool
    public var reason: String

    public init(_ failureClass: FailureClass, quarantine: Bool = false, reason: String) {
        self.failureClass = failureClass
        self.quarantine = quarantine && failureClass == .permanent
        self.reason = reason
    }
}

/// Sorts failures into transient and permanent. Pure: it looks at error values and numbers only.
public enum FailureClassifier {
    /// errno values that describe a passing condition of the machine, not of the job.
    public static let transientErrnos: Set<Int32> = [
        ENOSPC, EIO, EAGAIN, EINTR, ENOMEM, EMFILE, ENFILE, EBUSY, ETIMEDOUT, EDQUOT, ESTALE, ENOLCK, EROFS,
    ]

    /// A system call failed with `errno`.
    public static func classify(errno code: Int32, operation: String) -> JobFailure {
        let text = String(cString: strerror(code))
        if transientErrnos.contains(code) {
            return JobFailure(.transient, reason: "\(operation) failed: \(text) (errno \(code)); will retry")
        }
        return JobFailure(.permanent, reason: "\(operation) failed: \(text) (errno \(code))")
    }

    /// The DICOM layer failed. Unreadable files, non-images, undecodable pixels and rejected series are bad
    /// input, and so is a SEG that cannot be written for it; a file-system error is transient; a broken DCMTK installation is permanent but not the input's
    /// fault.
    public static func classify(_ error: DICOMError) -> JobFailure {
        switch error.code {
        case .unreadable, .notAnImage, .decode, .series:
            return JobFailure(.permanent, quarantine: true, reason: error.message)
        case .segmentation:
            // Mostly the input (a source a SEG cannot reference, a geometry mismatch); repeating cannot help.
            return JobFailure(.permanent, quarantine: true, reason: error.message)
        case .io:
            return JobFailure(.transient, reason: error.message)
        case .initialisation:
            return JobFailure(.permanent, reason: error.message)
        }
    }

    /// The model layer failed. Input the model cannot take (wrong modality, geometry) is the input's fault;
    /// file errors are transient; a broken bundle or plugin is permanent and not the input's fault.
    public static func classify(_ error: ModelError) -> JobFailure {
        switch error.code {
        case .unsupportedInput, .invalidGeometry:
            return JobFailure(.permanent, quarantine: true, reason: error.message)
        case .io:
            return JobFailure(.transient, reason: error.message)
        default:
            return JobFailure(.permanent, reason: error.message)
        }
    }

    /// The job runner failed.
    public static func classify(_ error: JobError) -> JobFailure {
        switch error.code {
        case .noSeries, .ambiguousSeries: JobFailure(.permanent, quarantine: true, reason: error.message)
        case .output: JobFailure(.transient, reason: error.message)
        default: JobFailure(.permanent, reason: error.message)
        }
    }

    /// Any error: the known types by their codes, POSIX errors by errno, anything else permanent.
    public static func classify(_ error: any Error) -> JobFailure {
        switch error {
        case let e as DICOMError: return classify(e)
        case let e as ModelError: return classify(e)
        case let e as JobError: return classify(e)
        case let e as POSIXError: return classify(errno: e.code.rawValue, operation: "a file operation")
        default: return JobFailure(.permanent, reason: String(describing: error))
        }
    }

    /// The worker process ended abnormally. A kill by SIGKILL is most often the kernel's OOM killer or an
    /// operator, so it counts as transient (memory may be free next time; the attempt limit stops loops); any
    /// other signal (SIGSEGV, SIGABRT, SIGBUS, ...) is a crash on this input and repeats deterministically.
    public static func classify(workerSignal signal: Int32) -> JobFailure {
        if signal == SIGKILL {
            return JobFailure(.transient, reason: "the worker was killed (signal \(signal), often out of memory)")
        }
        return JobFailure(.permanent, quarantine: true, reason: "the worker crashed (signal \(signal)) on this input")
    }

    /// A stage exceeded its configured timeout. Treated as permanent: the same input takes as long again.
    public static func classify(timeoutIn stage: String, seconds: Int) -> JobFailure {
        JobFailure(.permanent, reason: "the \(stage) stage exceeded its timeout of \(seconds) s; raise timeouts.\(stage) if this series is legitimately large")
    }
}
