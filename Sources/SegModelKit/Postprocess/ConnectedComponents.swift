import Imaging

/// Connected components of equal-label voxels in a label map, by one scan with union-find (union by size, path
/// halving). Memory: one Int32 per voxel. Components never join voxels of different labels.
struct ConnectedComponents {
    /// Not part of any component (background or a label not selected).
    static let unselected = Int32.max

    /// parent[v] ≥ 0: link toward the root; at a root, −(component size); `unselected` otherwise.
    private(set) var parent: [Int32]

    init(_ map: LabelMap, connectivity: Connectivity, selected: (UInt8) -> Bool) {
        let s = map.geometry.size
        let n = map.geometry.voxelCount
        precondition(n < Int(Int32.max), "label map too large for 32-bit component indices")
        var parent = [Int32](repeating: Self.unselected, count: n)
        // Neighbours earlier in scan order (x fastest): (dx, dy, dz).
        var offsets: [SIMD3<Int>] = [SIMD3(-1, 0, 0), SIMD3(0, -1, 0), SIMD3(0, 0, -1)]
        if connectivity == .full {
            offsets = []
            for dz in -1...0 {
                for dy in -1...1 {
                    for dx in -1...1 where dz < 0 || dy < 0 || (dy == 0 && dx < 0) { offsets.append(SIMD3(dx, dy, dz)) }
                }
            }
        }
        var wanted = [Bool](repeating: false, count: 256)
        for l in 1...255 { wanted[l] = selected(UInt8(l)) }
        map.labels.withUnsafeBufferPointer { labels in
            parent.withUnsafeMutableBufferPointer { p in
                for z in 0..<s.z {
                    for y in 0..<s.y {
                        for x in 0..<s.x {
                            let v = x + s.x * (y + s.y * z)
                            let l = labels[v]
                            guard wanted[Int(l)] else { continue }
                            p[v] = -1
                            for o in offsets {
                                let (nx, ny, nz) = (x + o.x, y + o.y, z + o.z)
                                guard nx >= 0, nx < s.x, ny >= 0, ny < s.y, nz >= 0 else { continue }
                                let u = nx + s.x * (ny + s.y * nz)
                                if labels[u] == l { Self.union(p, Int32(u), Int32(v)) }
                            }
                        }
                    }
                }
            }
        }
        self.parent = parent
    }

    private static func find(_ p: UnsafeMutableBufferPointer<Int32>, _ v: Int32) -> Int32 {
        var v = v
        while p[Int(v)] >= 0 {
            let up = p[Int(v)]
            if p[Int(up)] >= 0 { p[Int(v)] = p[Int(up)] }  // path halving
            v = up
        }
        return v
    }

    private static func union(_ p: UnsafeMutableBufferPointer<Int32>, _ a: Int32, _ b: Int32) {
        var ra = find(p, a), rb = find(p, b)
        guard ra != rb else { return }
        if p[Int(ra)] > p[Int(rb)] { swap(&ra, &rb) }  // ra is the larger (more negative size)
        p[Int(ra)] += p[Int(rb)]
        p[Int(rb)] = ra
    }

    /// Calls `body(v, root, componentSize)` for every selected voxel, in scan order.
    mutating func forEachSelected(_ body: (Int, Int, Int) -> Void) {
        parent.withUnsafeMutableBufferPointer { p in
            for v in 0..<p.count where p[v] != Self.unselected {
                let r = Int(Self.find(p, Int32(v)))
                body(v, r, Int(-p[r]))
            }
        }
    }
}

/// Connected-component cleanup as MONAI `KeepLargestConnectedComponent(independent=True)` and
/// `RemoveSmallObjects`.
public enum ComponentFilter {
    /// Keeps only the largest component of each selected label; other voxels of that label become background.
    /// Ties go to the component met first in scan order (x fastest).
    public static func keepLargest(_ map: inout LabelMap, labels: Set<UInt8>?, connectivity: Connectivity) {
        var cc = ConnectedComponents(map, connectivity: connectivity) { labels?.contains($0) ?? true }
        var best = [Int](repeating: -1, count: 256), bestSize = [Int](repeating: 0, count: 256)
        cc.forEachSelected { v, root, size in
            let l = Int(map.labels[v])
            if size > bestSize[l] { (best[l], bestSize[l]) = (root, size) }
        }
        cc.forEachSelected { v, root, _ in
            if root != best[Int(map.labels[v])] { map.labels[v] = 0 }
        }
    }

    /// Sets to background every component (of any label) with fewer than `minimumVoxels` voxels.
    public static func removeSmall(_ map: inout LabelMap, minimumVoxels: Int, connectivity: Connectivity) {
        guard minimumVoxels > 1 else { return }
        var cc = ConnectedComponents(map, connectivity: connectivity) { _ in true }
        cc.forEachSelected { v, _, size in
            if size < minimumVoxels { map.labels[v] = 0 }
        }
    }
}

extension PostprocessingSettings {
    /// Applies `keepLargestComponent`, then `removeComponentsSmallerThan`.
    public func apply(to map: inout LabelMap) {
        switch keepLargestComponent {
        case .none: break
        case .all: ComponentFilter.keepLargest(&map, labels: nil, connectivity: keepLargestConnectivity)
        case .labels(let l): ComponentFilter.keepLargest(&map, labels: Set(l), connectivity: keepLargestConnectivity)
        }
        if removeComponentsSmallerThan > 1 {
            ComponentFilter.removeSmall(&map, minimumVoxels: removeComponentsSmallerThan, connectivity: removeSmallConnectivity)
        }
    }
}
