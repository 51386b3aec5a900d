internal import CSegPlugin
public import NN

/// A network created by a loaded plugin, driven through the C ABI.
///
/// Not thread-safe: use one instance from one task at a time.
public final class PluginNetwork {
    public let plugin: LoadedPlugin
    public let description: NetworkDescription
    private let handle: UnsafeMutableRawPointer

    /// Builds the network in `plugin` from `description` and the weights file.
    public init(plugin: LoadedPlugin, description: NetworkDescription, weightsPath: String, threads: Int = 0)
        throws(ModelError)
    {
        var error = segd_error()
        let h = description.json.withCString { json in
            weightsPath.withCString { path in
                plugin.api.pointee.create(json, path, Int32(clamping: threads), &error)
            }
        }
        guard let h else {
            throw ModelError(.pluginCallFailed, "\(plugin.name): \(Self.message(error))")
        }
        self.plugin = plugin
        self.description = description
        self.handle = h
    }

    deinit { plugin.api.pointee.destroy(handle) }

    /// One forward pass.
    public func forward(_ input: Tensor) throws(ModelError) -> Tensor {
        guard input.rank <= Int(SEGD_TENSOR_MAX_RANK) else {
            throw ModelError(.invalidTensor, "input rank \(input.rank) is more than \(SEGD_TENSOR_MAX_RANK)")
        }
        var error = segd_error()
        var output = segd_tensor()
        let status: Int32 = input.withUnsafeBufferPointer { buffer in
            var x = segd_tensor()
            x.data = UnsafeMutablePointer(mutating: buffer.baseAddress)
            x.rank = Int32(input.rank)
            withUnsafeMutableBytes(of: &x.shape) { raw in
                let dims = raw.bindMemory(to: Int64.self)
                for (i, d) in input.shape.enumerated() { dims[i] = Int64(d) }
            }
            return plugin.api.pointee.infer(handle, &x, &output, &error)
        }
        guard status == 0 else {
            throw ModelError(.pluginCallFailed, "\(plugin.name): \(Self.message(error))")
        }
        defer { plugin.api.pointee.release_tensor(&output) }
        do {
            return try TensorABI.tensor(from: output)
        } catch let e as ModelError {
            throw ModelError(.pluginCallFailed, "\(plugin.name) returned a malformed output: \(e.message)")
        } catch {
            throw ModelError(.pluginCallFailed, "\(plugin.name) returned a malformed output: \(error)")
        }
    }

    private static func message(_ error: segd_error) -> String {
        let text = withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? "failed without a message" : text
    }
}
