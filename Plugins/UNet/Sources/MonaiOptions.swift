import NN
import SegModelKit

/// MONAI's `act` argument: a name, or `[name, {args}]`, as accepted by `monai.networks.layers.get_act_layer`.
enum Activation: Equatable {
    case none
    case relu
    case leakyReLU(Float)
    /// `nn.PReLU` with `numParameters` slopes read from `<prefix>.A.weight`.
    case prelu(numParameters: Int)

    static func parse(_ value: JSONValue?, className: String, key: String = "act") throws -> Activation {
        guard let value else { return .none }
        let (name, args) = try nameAndArgs(value, className: className, key: key)
        var result: Activation
        var allowed: Set<String> = ["inplace"]
        switch name.lowercased() {
        case "relu": result = .relu
        case "leakyrelu":
            allowed.insert("negative_slope")
            result = .leakyReLU(Float(try number(args["negative_slope"], default: 0.01, className, key)))
        case "prelu":
            allowed.formUnion(["num_parameters", "init"])
            result = .prelu(numParameters: Int(try number(args["num_parameters"], default: 1, className, key)))
        default:
            throw ModelError(.invalidNetworkDescription,
                             "\(className) kwarg \"\(key)\" = \"\(name)\" is not supported in segd; use PRELU, RELU or LEAKYRELU")
        }
        try rejectUnknown(args, allowed: allowed, className: className, key: key)
        return result
    }
}

/// MONAI's `norm` argument: `batch` or `instance` (name or `[name, {args}]`).
enum NormKind: Equatable {
    case none
    case batch(eps: Float, affine: Bool)
    case instance(eps: Float, affine: Bool)

    static func parse(_ value: JSONValue?, className: String, key: String = "norm") throws -> NormKind {
        guard let value else { return .none }
        let (name, args) = try nameAndArgs(value, className: className, key: key)
        let allowed: Set<String> = ["eps", "affine", "momentum", "track_running_stats"]
        try rejectUnknown(args, allowed: allowed, className: className, key: key)
        let eps = Float(try number(args["eps"], default: 1e-5, className, key))
        switch name.lowercased() {
        case "batch":
            if case .bool(false)? = args["track_running_stats"] {
                throw ModelError(.invalidNetworkDescription,
                                 "\(className) kwarg \"\(key)\": batch norm without running stats is not supported")
            }
            return .batch(eps: eps, affine: try flag(args["affine"], default: true, className, key))
        case "instance":
            if case .bool(true)? = args["track_running_stats"] {
                throw ModelError(.invalidNetworkDescription,
                                 "\(className) kwarg \"\(key)\": instance norm with running stats is not supported")
            }
            return .instance(eps: eps, affine: try flag(args["affine"], default: false, className, key))
        default:
            throw ModelError(.invalidNetworkDescription,
                             "\(className) kwarg \"\(key)\" = \"\(name)\" is not supported in segd; use \"batch\" or \"instance\"")
        }
    }
}

private func nameAndArgs(_ value: JSONValue, className: String, key: String) throws -> (String, [String: JSONValue]) {
    switch value {
    case .string(let s): return (s, [:])
    case .array(let items):
        if items.count == 1, case .string(let s) = items[0] { return (s, [:]) }
        if items.count == 2, case .string(let s) = items[0], case .object(let o) = items[1] { return (s, o) }
    default: break
    }
    throw ModelError(.invalidNetworkDescription,
                     "\(className) kwarg \"\(key)\" must be a name or [name, {arguments}], not \(value.kindName)")
}

private func rejectUnknown(_ args: [String: JSONValue], allowed: Set<String>, className: String, key: String) throws {
    let extra = Set(args.keys).subtracting(allowed).sorted()
    guard extra.isEmpty else {
        throw ModelError(.invalidNetworkDescription,
                         "\(className) kwarg \"\(key)\": argument(s) \(extra.joined(separator: ", ")) not supported in segd")
    }
}

private func number(_ v: JSONValue?, default d: Double, _ className: String, _ key: String) throws -> Double {
    switch v {
    case nil, .null?: return d
    case .number(let n)?: return n
    case let other?:
        throw ModelError(.invalidNetworkDescription, "\(className) kwarg \"\(key)\": expected a number, got \(other.kindName)")
    }
}

private func flag(_ v: JSONValue?, default d: Bool, _ className: String, _ key: String) throws -> Bool {
    switch v {
    case nil, .null?: return d
    case .bool(let b)?: return b
    case let other?:
        throw ModelError(.invalidNetworkDescription, "\(className) kwarg \"\(key)\": expected true/false, got \(other.kindName)")
    }
}

/// Reads `dropout` and accepts only 0 (inference ignores dropout, but a non-zero value signals a config we do
/// not reproduce exactly, e.g. a dropout tuple).
func requireNoDropout(_ kw: inout Kwargs, key: String = "dropout") throws {
    guard kw.has(key) else { _ = kw.raw(key); return }
    let p = try kw.double(key)
    guard p == 0 else {
        throw ModelError(.invalidNetworkDescription,
                         "\(kw.className) kwarg \"\(key)\" = \(p) is not supported in segd (only 0); dropout is identity at inference, set it to 0")
    }
}
