#if canImport(Glibc)
import Glibc
#endif

/// Reentrant look-ups in the user and group databases (NSS).
public enum UserDatabase {
    public static func groupName(_ gid: gid_t) -> String? {
        withBuffer { buf, size in
            var g = group(), result: UnsafeMutablePointer<group>?
            let rc = getgrgid_r(gid, &g, buf, size, &result)
            return (rc, result.map { String(cString: $0.pointee.gr_name) })
        }
    }

    public static func groupID(_ name: String) -> gid_t? {
        withBuffer { buf, size in
            var g = group(), result: UnsafeMutablePointer<group>?
            let rc = getgrnam_r(name, &g, buf, size, &result)
            return (rc, result.map { $0.pointee.gr_gid })
        }
    }

    /// The user's name and primary group.
    public static func user(_ uid: uid_t) -> (name: String, gid: gid_t)? {
        withBuffer { buf, size in
            var p = passwd(), result: UnsafeMutablePointer<passwd>?
            let rc = getpwuid_r(uid, &p, buf, size, &result)
            return (rc, result.map { (String(cString: $0.pointee.pw_name), $0.pointee.pw_gid) })
        }
    }

    /// Every group of a user: primary plus supplementary (getgrouplist).
    public static func groups(ofUser uid: uid_t) -> [gid_t] {
        guard let (name, gid) = user(uid) else { return [] }
        var count: Int32 = 64
        while count <= 65536 {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var n = count
            if getgrouplist(name, gid, &groups, &n) >= 0 { return Array(groups[0..<Int(n)]) }
            count = max(n, count * 2)
        }
        return [gid]
    }

    /// Runs a `*_r` call with a growing buffer while it answers ERANGE.
    private static func withBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> (Int32, T?)) -> T? {
        var size = 1024
        while size <= 1 << 20 {
            let buf = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buf.deallocate() }
            let (rc, value) = body(buf, size)
            if rc == ERANGE { size *= 2; continue }
            return rc == 0 ? value : nil
        }
        return nil
    }
}
