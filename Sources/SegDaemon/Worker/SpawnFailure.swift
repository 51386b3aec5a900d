import Foundation

/// Why `Process.run()` failed, in words a person can act on. Foundation on Linux reports most spawn failures as
/// "The operation could not be completed (NSCocoaErrorDomain error 256)" and keeps the errno as the underlying
/// error; this digs it out ("Text file busy", "Permission denied", "No such file or directory").
enum SpawnFailure {
    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if let path = ns.userInfo[NSFilePathErrorKey] as? String, ns.domain == NSCocoaErrorDomain {
            return "\(ns.localizedDescription) (\(path))"
        }
        return ns.localizedDescription
    }
}
