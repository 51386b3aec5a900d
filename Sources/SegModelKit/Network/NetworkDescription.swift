import Foundation

/// A network as users describe it in PyTorch: the Python class path and its constructor kwargs,
/// e.g. `{"class": "monai.networks.nets.UNet", "kwargs": {"spatial_dims": 3, ...}}`.
///
/// Other top-level keys (fixture metadata such as `input_shape`) are ignored.
public struct NetworkDescription: Sendable, Hashable {
    public var className: String
    public var kwargs: [String: JSONValue]

    public init(className: String, kwargs: [String: JSONValue]) {
        self.className = className
        self.kwargs = kwargs
    }

    /// Parses the JSON text of a network description.
    public init(json: String) throws(ModelError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw ModelError(.invalidNetworkDescription, "the network description is not valid JSON: \(error)")
        }
        try self.init(value)
    }

    public init(_ value: JSONValue) throws(ModelError) {
        guard case .object(let top) = value else {
            throw ModelError(.invalidNetworkDescription,
                             "the network description must be an object with \"class\" and \"kwargs\"")
        }
        guard case .string(let cls)? = top["class"] else {
            throw ModelError(.invalidNetworkDescription,
                             "the network description needs \"class\", the Python class path, e.g. \"monai.networks.nets.UNet\"")
        }
        switch top["kwargs"] {
        case .object(let kw)?: self.init(className: cls, kwargs: kw)
        case nil, .null?: self.init(className: cls, kwargs: [:])
        case let other?:
            throw ModelError(.invalidNetworkDescription, "\"kwargs\" must be an object, not \(other.kindName)")
        }
    }

    /// The JSON text of `{"class", "kwargs"}`.
    public var json: String {
        let object = JSONValue.object(["class": .string(className), "kwargs": .object(kwargs)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a JSONValue cannot fail: it holds only JSON-representable values.
        return (try? String(decoding: encoder.encode(object), as: UTF8.self)) ?? "{}"
    }
}
