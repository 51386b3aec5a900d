import Dispatch
import Foundation
import Imaging
import Synchronization

extension SeriesStack {
    /// Decodes all slices into one float volume (values after rescale), in parallel over slices on every
    /// core. Memory: the float volume plus one frame buffer per worker.
    public func loadVolume() throws(DICOMError) -> Volume {
        try DICOMFile.initialise()
        let perSlice = geometry.sliceVoxelCount
        let total = geometry.voxelCount
        let sources = self.sources
        guard sources.count == geometry.size.z, perSlice > 0 else {
            throw DICOMError(.series, "the stack has no slices to load")
        }
        let failure = Mutex<DICOMError?>(nil)
        let workers = min(sources.count, max(1, ProcessInfo.processInfo.activeProcessorCount * 4))
        let voxels = [Float](unsafeUninitializedCapacity: total) { buffer, count in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { chunk in
                let lower = chunk * sources.count / workers
                let upper = (chunk + 1) * sources.count / workers
                var open: DICOMFile?
                for k in lower..<upper {
                    if failure.withLock({ $0 != nil }) { return }
                    let source = sources[k]
                    do throws(DICOMError) {
                        if open?.path != source.path { open = try DICOMFile(path: source.path) }
                        let target = UnsafeMutableBufferPointer(start: base + k * perSlice, count: perSlice)
                        try open!.decodeFrame((source.frameNumber ?? 1) - 1, slope: source.rescaleSlope,
                                              intercept: source.rescaleIntercept, into: target)
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        return
                    }
                }
            }
            count = total
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return Volume(geometry: geometry, voxels: voxels)
    }
}

