import Foundation
import Imaging
import Testing
@testable import SegModelKit

@Suite struct PostprocessingTests {
    static func map(_ size: SIMD3<Int>) -> LabelMap {
        LabelMap(geometry: Geometry(size: size, spacing: Vector3(1, 1, 1), origin: .zero, direction: .identity))
    }

    /// Independent reference: component sizes by breadth-first search.
    static func componentSizes(_ m: LabelMap, label: UInt8, connectivity: Connectivity) -> [Int] {
        let s = m.geometry.size
        var seen = [Bool](repeating: false, count: m.labels.count)
        var sizes: [Int] = []
        for start in 0..<m.labels.count where m.labels[start] == label && !seen[start] {
            var queue = [start], head = 0
            seen[start] = true
            while head < queue.count {
                let v = queue[head]; head += 1
                let (x, y, z) = (v % s.x, (v / s.x) % s.y, v / (s.x * s.y))
                for dz in -1...1 { for dy in -1...1 { for dx in -1...1 {
                    let hops = abs(dx) + abs(dy) + abs(dz)
                    guard hops > 0, connectivity == .full || hops == 1 else { continue }
                    let (nx, ny, nz) = (x + dx, y + dy, z + dz)
                    guard nx >= 0, nx < s.x, ny >= 0, ny < s.y, nz >= 0, nz < s.z else { continue }
                    let u = nx + s.x * (ny + s.y * nz)
                    if m.labels[u] == label && !seen[u] { seen[u] = true; queue.append(u) }
                } } }
            }
            sizes.append(queue.count)
        }
        return sizes
    }

    @Test func diagonalNeighboursJoinOnlyWithFullConnectivity() {
        var m = Self.map(SIMD3(6, 6, 6))
        // A 2×2×2 cube of label 1, and one voxel of label 1 touching it only at a corner.
        for z in 0...1 { for y in 0...1 { for x in 0...1 { m[x, y, z] = 1 } } }
        m[2, 2, 2] = 1
        m[5, 5, 5] = 2
        var full = m
        ComponentFilter.keepLargest(&full, labels: nil, connectivity: .full)
        #expect(full.labels == m.labels)  // one component per label: nothing removed
        var faces = m
        ComponentFilter.keepLargest(&faces, labels: nil, connectivity: .faces)
        #expect(faces[2, 2, 2] == 0 && faces[0, 0, 0] == 1 && faces[5, 5, 5] == 2)
    }

    @Test func keepLargestOnlyForListedLabels() {
        var m = Self.map(SIMD3(10, 4, 4))
        for x in 0..<3 { m[x, 0, 0] = 1 }
        m[6, 0, 0] = 1
        for x in 0..<2 { m[x, 3, 3] = 2 }
        m[8, 3, 3] = 2
        var settings = PostprocessingSettings.none
        settings.keepLargestComponent = .labels([1])
        settings.apply(to: &m)
        #expect(m[6, 0, 0] == 0 && m[0, 0, 0] == 1)
        #expect(m[8, 3, 3] == 2)  // label 2 not listed
    }

    @Test func removeSmallIsStrictlySmallerThan() {
        var m = Self.map(SIMD3(12, 3, 3))
        for x in 0..<4 { m[x, 1, 1] = 1 }  // 4 voxels: kept with N = 4
        for x in 6..<9 { m[x, 1, 1] = 1 }  // 3 voxels: removed
        m[11, 0, 0] = 3
        ComponentFilter.removeSmall(&m, minimumVoxels: 4, connectivity: .faces)
        #expect(m.histogram[1] == 4 && m.histogram[3] == 0)
    }

    /// On random blobs, the union-find components agree with a breadth-first reference for both connectivities.
    @Test(arguments: [Connectivity.faces, .full]) func agreesWithBreadthFirstSearch(connectivity: Connectivity) {
        var rng = SplitMix(seed: 7)
        var m = Self.map(SIMD3(17, 13, 11))
        for v in 0..<m.labels.count { m.labels[v] = UInt8(rng.next() % 100 < 30 ? 1 + rng.next() % 3 : 0) }
        for label in UInt8(1)...3 {
            let sizes = Self.componentSizes(m, label: label, connectivity: connectivity)
            var kept = m
            ComponentFilter.keepLargest(&kept, labels: [label], connectivity: connectivity)
            #expect(kept.histogram[Int(label)] == sizes.max())
            var cleaned = m
            ComponentFilter.removeSmall(&cleaned, minimumVoxels: 5, connectivity: connectivity)
            #expect(cleaned.histogram[Int(label)] == sizes.filter { $0 >= 5 }.reduce(0, +))
        }
    }
}

/// A small deterministic random generator for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
