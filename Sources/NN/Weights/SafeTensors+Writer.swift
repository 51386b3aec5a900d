import Foundation

/// Writing `.safetensors` files (float32 tensors), e.g. `segd model run --output Y.safetensors`.
public enum SafeTensorsWriter {
    /// Writes `tensors` (name → float32 tensor) with optional `__metadata__` to `path`, atomically.
    /// Data is stored in name order, the header padded with spaces to a multiple of 8 bytes.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { file.append(contentsOf: $0) }
        file.append(json)
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { buf in
                #if _endian(big)
                for v in buf { var le = v.bitPattern.littleEndian; withUnsafeBytes(of: &le) { file.append(contentsOf: $0) } }
                #else
                file.append(UnsafeBufferPointer(start: buf.baseAddress, count: buf.count))
                #endif
            }
        }
        do { try file.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw NNError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
