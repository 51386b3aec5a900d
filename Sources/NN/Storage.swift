import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Heap storage of a tensor: a 64-byte aligned block of `Float`s, freed with the last reference.
/// Large blocks are mapped directly and backed by transparent huge pages, which cuts page-fault time on
/// first touch by ~500x (a 96³×32 activation is 113 MB).
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    private let mapping: (UnsafeMutableRawPointer, Int)?

    init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if let (base, length, aligned) = RawMemory.mapHuge(bytes) {
            mapping = (base, length)
            pointer = aligned.bindMemory(to: Float.self, capacity: max(count, 1))
        } else {
            mapping = nil
            pointer = RawMemory.allocate(bytes).bindMemory(to: Float.self, capacity: max(count, 1))
        }
    }

    deinit {
        if let (base, length) = mapping { MappingPool.shared.give(base, length) } else { free(pointer) }
    }
}

/// Recently freed huge-page mappings, reused for tensors of the same rounded size. A forward pass allocates
/// and frees the same activation sizes over and over; reusing them avoids the kernel zeroing fresh pages
/// (which costs as much as a large convolution's arithmetic). Bounded by `limitBytes`; oldest evicted first.
final class MappingPool: Sendable {
    static let shared = MappingPool()
    /// (address, length) of cached mappings, least recently freed first.
    private let cache = Mutex<[(Int, Int)]>([])
    private let limit = Atomic<Int>(256 << 20)

    /// Upper bound of cached bytes.
    var limitBytes: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(max(0, newValue), ordering: .relaxed); trim() }
    }

    /// A cached mapping of at least `length` bytes and at most twice that (best fit), if any.
    func take(_ length: Int) -> (UnsafeMutableRawPointer, Int)? {
        let hit: (Int, Int)? = cache.withLock { free in
            var best: Int?
            for (i, e) in free.enumerated() where e.1 >= length && e.1 <= 2 * length {
                if best == nil || e.1 < free[best!].1 { best = i }
            }
            return best.map { free.remove(at: $0) }
        }
        return hit.map { (UnsafeMutableRawPointer(bitPattern: $0.0)!, $0.1) }
    }

    func give(_ base: UnsafeMutableRawPointer, _ length: Int) {
        cache.withLock { $0.append((Int(bitPattern: base), length)) }
        trim()
    }

    private func trim() {
        let cap = limitBytes
        let evicted: [(Int, Int)] = cache.withLock { free in
            var total = free.reduce(0) { $0 + $1.1 }
            var out: [(Int, Int)] = []
            while total > cap, !free.isEmpty {
                let e = free.removeFirst()
                total -= e.1
                out.append(e)
            }
            return out
        }
        for (b, l) in evicted { munmap(UnsafeMutableRawPointer(bitPattern: b), l) }
    }

    /// Unmaps every cached block.
    func drain() {
        let all: [(Int, Int)] = cache.withLock { free in
            let all = free
            free.removeAll()
            return all
        }
        for (b, l) in all { munmap(UnsafeMutableRawPointer(bitPattern: b), l) }
    }
}

/// Sets how many bytes of freed activation buffers NN keeps for reuse (default 256 MiB; 0 disables the cache).
/// Reuse avoids the kernel zeroing fresh pages for every op; the cache counts towards the process's RSS.
public func setMemoryCacheLimit(_ bytes: Int) {
    MappingPool.shared.limitBytes = bytes
}

/// Returns the activation buffers NN keeps for reuse to the OS (call after a batch of inferences to lower RSS).
public func releaseCachedMemory() {
    MappingPool.shared.drain()
}

/// Memory helpers shared by tensors and scratch buffers.
enum RawMemory {
    static let hugePage = 2 << 20
    /// Blocks at least this large are mapped with huge pages.
    static let hugeThreshold = 4 << 20

    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, max(bytes, 64)) == 0, let raw else { fatalError("NN: out of memory (\(bytes) bytes)") }
        return raw
    }

    /// Maps `bytes` (rounded up to 2 MiB) at a 2 MiB-aligned address and asks for transparent huge pages.
    /// Returns (mapping base, mapping length, aligned start), or nil for small sizes or if mapping fails.
    static func mapHuge(_ bytes: Int) -> (UnsafeMutableRawPointer, Int, UnsafeMutableRawPointer)? {
        guard bytes >= hugeThreshold else { return nil }
        let rounded = (bytes + hugePage - 1) / hugePage * hugePage
        let length = rounded + hugePage
        if let (m, cachedLength) = MappingPool.shared.take(length) {
            let alignedAddr = (Int(bitPattern: m) + hugePage - 1) / hugePage * hugePage
            return (m, cachedLength, UnsafeMutableRawPointer(bitPattern: alignedAddr)!)
        }
        guard let m = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else {
            return nil
        }
        let addr = Int(bitPattern: m)
        let alignedAddr = (addr + hugePage - 1) / hugePage * hugePage
        let aligned = UnsafeMutableRawPointer(bitPattern: alignedAddr)!
        _ = madvise(aligned, rounded, 14)  // MADV_HUGEPAGE
        return (m, length, aligned)
    }
}

/// A scratch buffer of floats (huge-page backed when large), freed on deinit.
final class Scratch {
    let storage: TensorStorage
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    init(count: Int) { storage = TensorStorage(count: count) }
}
