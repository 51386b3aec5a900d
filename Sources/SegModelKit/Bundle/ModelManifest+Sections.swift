import Imaging

extension ModelManifest {
    static func intensity(_ v: JSONValue, _ path: String) throws(ModelError) -> IntensityTransform {
        var r = try ManifestReader(v, path: path)
        let names = ["ScaleIntensityRange", "NormalizeIntensity", "ClipZScore"]
        let name = try r.string("name")
        let t: IntensityTransform
        func f(_ d: Double) -> Float { Float(d) }
        switch name {
        case "ScaleIntensityRange":
            let aMin = try r.double("a_min"), aMax = try r.double("a_max")
            let bMin = try r.optional("b_min").map { v throws(ModelError) in try ManifestReader.double(v, r.field("b_min")) }
            let bMax = try r.optional("b_max").map { v throws(ModelError) in try ManifestReader.double(v, r.field("b_max")) }
            t = .scaleIntensityRange(aMin: f(aMin), aMax: f(aMax), bMin: bMin.map(f), bMax: bMax.map(f),
                                     clip: try r.bool("clip", default: false))
        case "NormalizeIntensity":
            let sub = try r.optional("subtrahend").map { v throws(ModelError) in try ManifestReader.double(v, r.field("subtrahend")) }
            let div = try r.optional("divisor").map { v throws(ModelError) in try ManifestReader.double(v, r.field("divisor")) }
            t = .normalizeIntensity(subtrahend: sub.map(f), divisor: div.map(f), nonzero: try r.bool("nonzero", default: false),
                                    channelWise: try r.bool("channel_wise", default: false))
        case "ClipZScore":
            let lower = try r.double("lower"), upper = try r.double("upper")
            guard lower <= upper else { throw ManifestReader.error(r.field("upper"), "must not be below lower") }
            let std = try r.double("std")
            guard std >= 0 else { throw ManifestReader.error(r.field("std"), "must not be negative") }
            t = .clipZScore(lower: f(lower), upper: f(upper), mean: f(try r.double("mean")), std: f(std))
        default:
            throw ManifestReader.error(r.field("name"),
                                       "unknown transform \"\(name)\"; segd supports \(names.joined(separator: ", "))")
        }
        try r.finish()
        return t
    }

    static func inference(_ v: JSONValue, spatialDims: SpatialDims) throws(ModelError) -> SlidingWindowSettings {
        var r = try ManifestReader(v, path: "inference")
        let roi = try ManifestReader.ints(r.required("roi_size"), "inference.roi_size")
        let expected = spatialDims == .three ? 3 : 2
        guard roi.count == expected else {
            throw ManifestReader.error("inference.roi_size", "must have \(expected) sizes for a \(expected)-D model")
        }
        for (i, s) in roi.enumerated() where s < 1 {
            throw ManifestReader.error("inference.roi_size[\(i)]", "must be positive")
        }
        let overlap = try r.double("overlap", default: 0.25)
        guard overlap >= 0, overlap < 1 else { throw ManifestReader.error("inference.overlap", "must be in [0, 1)") }
        let mode = try r.choice("mode", ["constant", "gaussian"], default: "constant")
        let sigma = try r.double("sigma_scale", default: 0.125)
        guard sigma > 0 else { throw ManifestReader.error("inference.sigma_scale", "must be positive") }
        let batch = try r.int("sw_batch_size", default: 1)
        guard batch >= 1 else { throw ManifestReader.error("inference.sw_batch_size", "must be at least 1") }
        let padding = try r.choice("padding_mode", ["constant", "replicate", "reflect", "circular"], default: "constant")
        let cval = try r.double("cval", default: 0)
        try r.finish()
        return SlidingWindowSettings(roiSize: roi, overlap: overlap, mode: .init(rawValue: mode)!, sigmaScale: sigma,
                                     swBatchSize: batch, paddingMode: .init(rawValue: padding)!, cval: Float(cval))
    }

    static func output(_ v: JSONValue) throws(ModelError) -> OutputSettings {
        var r = try ManifestReader(v, path: "output")
        let activation = try r.choice("activation", ["softmax", "sigmoid", "none"])
        let decision = try r.choice("decision", ["argmax", "threshold"], default: "argmax")
        let out: OutputSettings
        if decision == "threshold" {
            let t = try r.double("threshold", default: 0.5)
            out = OutputSettings(activation: .init(rawValue: activation)!, decision: .threshold(Float(t)))
        } else {
            if r.optional("threshold") != nil {
                throw ManifestReader.error("output.threshold", "only with \"decision\": \"threshold\"")
            }
            out = OutputSettings(activation: .init(rawValue: activation)!, decision: .argmax)
        }
        try r.finish()
        return out
    }

    static func postprocessing(_ v: JSONValue) throws(ModelError) -> PostprocessingSettings {
        var r = try ManifestReader(v, path: "postprocessing")
        var p = PostprocessingSettings.none
        switch r.optional("keepLargestComponent") {
        case nil, .bool(false)?: p.keepLargestComponent = .none
        case .bool(true)?: p.keepLargestComponent = .all
        case let list?:
            let ints = try ManifestReader.ints(list, "postprocessing.keepLargestComponent")
            for (i, l) in ints.enumerated() where !(1...255).contains(l) {
                throw ManifestReader.error("postprocessing.keepLargestComponent[\(i)]", "must be a label 1…255")
            }
            p.keepLargestComponent = .labels(ints.map { UInt8($0) })
        }
        p.keepLargestConnectivity = try connectivity(&r, "keepLargestConnectivity", default: .full)
        p.removeComponentsSmallerThan = try r.int("removeComponentsSmallerThan", default: 0)
        guard p.removeComponentsSmallerThan >= 0 else {
            throw ManifestReader.error("postprocessing.removeComponentsSmallerThan", "must not be negative")
        }
        p.removeSmallConnectivity = try connectivity(&r, "removeSmallConnectivity", default: .faces)
        try r.finish()
        return p
    }

    private static func connectivity(_ r: inout ManifestReader, _ key: String, default d: Connectivity)
        throws(ModelError) -> Connectivity
    {
        let n = try r.int(key, default: d.rawValue)
        guard let c = Connectivity(rawValue: n) else { throw ManifestReader.error(r.field(key), "must be 6 or 26") }
        return c
    }

    static func labels(_ v: JSONValue) throws(ModelError) -> [SegmentDescription] {
        let items = try ManifestReader.array(v, "labels")
        guard !items.isEmpty else { throw ManifestReader.error("labels", "must list at least one label") }
        var out: [SegmentDescription] = []
        for (i, item) in items.enumerated() {
            let path = "labels[\(i)]"
            var r = try ManifestReader(item, path: path)
            let index = try r.int("index")
            guard (1...255).contains(index) else { throw ManifestReader.error(r.field("index"), "must be 1…255") }
            guard !out.contains(where: { Int($0.label) == index }) else {
                throw ManifestReader.error(r.field("index"), "label \(index) is listed twice")
            }
            let name = try r.string("name")
            guard !name.isEmpty else { throw ManifestReader.error(r.field("name"), "must not be empty") }
            let category = try coded(r.required("category"), r.field("category"))
            let type = try coded(r.required("type"), r.field("type"))
            let region = try r.optional("anatomicRegion").map { v throws(ModelError) in try coded(v, r.field("anatomicRegion")) }
            let rgb = try ManifestReader.ints(r.required("color"), r.field("color"))
            guard rgb.count == 3 else { throw ManifestReader.error(r.field("color"), "must be [r, g, b]") }
            for (c, x) in rgb.enumerated() where !(0...255).contains(x) {
                throw ManifestReader.error("\(r.field("color"))[\(c)]", "must be 0…255")
            }
            try r.finish()
            out.append(SegmentDescription(label: UInt8(index), name: name, category: category, type: type,
                                          anatomicRegion: region, color: RGB(UInt8(rgb[0]), UInt8(rgb[1]), UInt8(rgb[2]))))
        }
        return out
    }

    static func coded(_ v: JSONValue, _ path: String) throws(ModelError) -> CodedConcept {
        var r = try ManifestReader(v, path: path)
        let scheme = try r.string("scheme"), value = try r.string("value"), meaning = try r.string("meaning")
        for (key, s) in [("scheme", scheme), ("value", value), ("meaning", meaning)] where s.isEmpty {
            throw ManifestReader.error(r.field(key), "must not be empty")
        }
        try r.finish()
        return CodedConcept(scheme: scheme, value: value, meaning: meaning)
    }
}
