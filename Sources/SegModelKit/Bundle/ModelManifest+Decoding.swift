import Foundation
import Imaging

extension ModelManifest {
    /// Parses and validates `model.json` text. Every error names the field, e.g. `labels[2].category.value: missing`.
    ///
    /// Format (keys are exact; unknown keys are errors):
    /// ```
    /// { "id": "spleen-ct", "version": "1.0.0", "description": "…", "intendedUse": "…",
    ///   "network": {"class": "monai.networks.nets.UNet", "kwargs": {…}},
    ///   "weights": {"file": "model.safetensors", "sha256": "<64 hex>"},
    ///   "input": {"modality": "CT", "minimumSlices": 16},
    ///   "spatialDims": 3,                      // or 2 with "plane": "axial" | "coronal" | "sagittal"
    ///   "orientation": "RAS", "spacing": [1.5, 1.5, 2.0],       // spacing may be null
    ///   "intensity": [{"name": "ScaleIntensityRange", "a_min": -57, "a_max": 164, "b_min": 0, "b_max": 1, "clip": true}],
    ///   "inference": {"roi_size": [96, 96, 96], "overlap": 0.5, "mode": "gaussian", "sigma_scale": 0.125,
    ///                 "sw_batch_size": 1, "padding_mode": "constant", "cval": 0},
    ///   "output": {"activation": "softmax", "decision": "argmax"},   // or "threshold" with "threshold": 0.5
    ///   "postprocessing": {"keepLargestComponent": true, "removeComponentsSmallerThan": 100},
    ///   "labels": [{"index": 1, "name": "Spleen", "category": {"scheme": "SCT", "value": "123037004",
    ///               "meaning": "Anatomical Structure"}, "type": {…}, "anatomicRegion": {…}, "color": [157, 108, 162]}] }
    /// ```
    public init(json: String) throws(ModelError) {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) } catch {
            throw ModelError(.invalidManifest, "model.json is not valid JSON: \(error)")
        }
        try self.init(value)
    }

    public init(_ value: JSONValue) throws(ModelError) {
        var r = try ManifestReader(value, path: "")
        id = try r.string("id")
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ManifestReader.error("id", "use letters, digits, '-', '_' or '.' only, not \"\(id)\"")
        }
        version = try r.string("version")
        description = try r.string("description")
        intendedUse = try r.string("intendedUse")
        do { network = try NetworkDescription(try r.required("network")) } catch {
            throw ManifestReader.error("network", error.message)
        }
        weights = try Self.weights(r.required("weights"))
        input = try Self.input(r.required("input"))
        let dims = try r.int("spatialDims")
        switch dims {
        case 3:
            spatialDims = .three
            if r.optional("plane") != nil { throw ManifestReader.error("plane", "only for spatialDims 2") }
        case 2:
            let plane = try r.choice("plane", SlicePlane.allCases.map(\.rawValue))
            spatialDims = .two(plane: SlicePlane(rawValue: plane)!)
        default: throw ManifestReader.error("spatialDims", "must be 2 or 3, not \(dims)")
        }
        do { orientation = try AxisCodes(try r.string("orientation")) } catch {
            throw ManifestReader.error("orientation", error.message)
        }
        if let s = r.optional("spacing") {
            // As MONAI's `Spacing(pixdim)`: a non-positive component keeps the source spacing along that axis.
            let v = try ManifestReader.doubles(s, "spacing", count: 3)
            spacing = Vector3(v[0], v[1], v[2])
        } else {
            spacing = nil
        }
        let transforms = try ManifestReader.array(r.required("intensity"), "intensity")
        var parsed: [IntensityTransform] = []
        for (i, t) in transforms.enumerated() { parsed.append(try Self.intensity(t, "intensity[\(i)]")) }
        intensity = parsed
        inference = try Self.inference(r.required("inference"), spatialDims: spatialDims)
        output = try Self.output(r.required("output"))
        postprocessing = try Self.postprocessing(r.optional("postprocessing") ?? .object([:]))
        labels = try Self.labels(r.required("labels"))
        try r.finish()
        for case .labels(let listed) in [postprocessing.keepLargestComponent] {
            for (i, l) in listed.enumerated() where !labels.contains(where: { $0.label == l }) {
                throw ManifestReader.error("postprocessing.keepLargestComponent[\(i)]", "label \(l) is not in labels")
            }
        }
    }

    private static func weights(_ v: JSONValue) throws(ModelError) -> WeightsReference {
        var r = try ManifestReader(v, path: "weights")
        let file = try r.string("file")
        guard !file.isEmpty, !file.contains("/"), file != ".", file != ".." else {
            throw ManifestReader.error("weights.file", "must be a file name inside the bundle folder, not \"\(file)\"")
        }
        let sha = try r.string("sha256").lowercased()
        guard sha.count == 64, sha.allSatisfy({ $0.isHexDigit }) else {
            throw ManifestReader.error("weights.sha256", "must be 64 hexadecimal digits")
        }
        try r.finish()
        return WeightsReference(file: file, sha256: sha)
    }

    private static func input(_ v: JSONValue) throws(ModelError) -> InputConstraints {
        var r = try ManifestReader(v, path: "input")
        let modality = try r.optionalString("modality")
        let minimum = try r.int("minimumSlices", default: 1)
        guard minimum >= 1 else { throw ManifestReader.error("input.minimumSlices", "must be at least 1") }
        try r.finish()
        return InputConstraints(modality: modality, minimumSlices: minimum)
    }
}
