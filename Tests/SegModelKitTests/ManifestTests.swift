import Foundation
import Imaging
import Testing
@testable import SegModelKit

/// A valid manifest to start from; tests change one field at a time.
let sampleManifestJSON = """
{
  "id": "spleen-ct", "version": "1.2.0", "description": "Spleen on portal-venous CT",
  "intendedUse": "Research only",
  "network": {"class": "monai.networks.nets.UNet", "kwargs": {"spatial_dims": 3, "in_channels": 1, "out_channels": 2}},
  "weights": {"file": "model.safetensors", "sha256": "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"},
  "input": {"modality": "CT", "minimumSlices": 16},
  "spatialDims": 3,
  "orientation": "RAS",
  "spacing": [1.5, 1.5, 2.0],
  "intensity": [
    {"name": "ScaleIntensityRange", "a_min": -57, "a_max": 164, "b_min": 0.0, "b_max": 1.0, "clip": true},
    {"name": "NormalizeIntensity", "nonzero": true},
    {"name": "ClipZScore", "lower": -1000, "upper": 1000, "mean": 40.5, "std": 120}
  ],
  "inference": {"roi_size": [96, 96, 96], "overlap": 0.5, "mode": "gaussian", "sigma_scale": 0.125,
                "sw_batch_size": 2, "padding_mode": "replicate", "cval": -1},
  "output": {"activation": "softmax", "decision": "argmax"},
  "postprocessing": {"keepLargestComponent": [1], "removeComponentsSmallerThan": 50},
  "labels": [
    {"index": 1, "name": "Spleen",
     "category": {"scheme": "SCT", "value": "123037004", "meaning": "Anatomical Structure"},
     "type": {"scheme": "SCT", "value": "78961009", "meaning": "Spleen"},
     "anatomicRegion": {"scheme": "SCT", "value": "818981001", "meaning": "Abdomen"},
     "color": [157, 108, 162]}
  ]
}
"""

func sampleManifestValue() -> [String: JSONValue] {
    guard case .object(let o) = try! JSONDecoder().decode(JSONValue.self, from: Data(sampleManifestJSON.utf8)) else {
        fatalError("sample manifest is not an object")
    }
    return o
}

/// The error message of parsing `object`, or nil when it parses.
func manifestError(_ object: [String: JSONValue]) -> String? {
    do { _ = try ModelManifest(.object(object)); return nil } catch { return error.message }
}

@Suite struct ManifestTests {
    @Test func parsesEveryField() throws {
        let m = try ModelManifest(json: sampleManifestJSON)
        #expect(m.id == "spleen-ct" && m.version == "1.2.0")
        #expect(m.network.className == "monai.networks.nets.UNet")
        #expect(m.weights.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(m.input == InputConstraints(modality: "CT", minimumSlices: 16))
        #expect(m.spatialDims == .three)
        #expect(m.orientation.description == "RAS")
        #expect(m.spacing == Vector3(1.5, 1.5, 2.0))
        #expect(m.intensity == [
            .scaleIntensityRange(aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true),
            .normalizeIntensity(subtrahend: nil, divisor: nil, nonzero: true, channelWise: false),
            .clipZScore(lower: -1000, upper: 1000, mean: 40.5, std: 120),
        ])
        #expect(m.inference == SlidingWindowSettings(roiSize: [96, 96, 96], overlap: 0.5, mode: .gaussian,
                                                     sigmaScale: 0.125, swBatchSize: 2, paddingMode: .replicate, cval: -1))
        #expect(m.output == OutputSettings(activation: .softmax, decision: .argmax))
        #expect(m.postprocessing.keepLargestComponent == .labels([1]))
        #expect(m.postprocessing.keepLargestConnectivity == .full)
        #expect(m.postprocessing.removeComponentsSmallerThan == 50)
        #expect(m.postprocessing.removeSmallConnectivity == .faces)
        #expect(m.labels == [SegmentDescription(
            label: 1, name: "Spleen", category: .anatomicalStructure,
            type: CodedConcept(scheme: "SCT", value: "78961009", meaning: "Spleen"),
            anatomicRegion: CodedConcept(scheme: "SCT", value: "818981001", meaning: "Abdomen"), color: RGB(157, 108, 162))])
    }

    @Test func twoDimensionalNeedsPlaneAndTwoRoiSizes() throws {
        var o = sampleManifestValue()
        o["spatialDims"] = .number(2)
        #expect(manifestError(o) == "model.json: plane: missing")
        o["plane"] = .string("coronal")
        #expect(manifestError(o) == "model.json: inference.roi_size: must have 2 sizes for a 2-D model")
        guard case .object(var inf) = o["inference"]! else { return }
        inf["roi_size"] = .array([.number(160), .number(160)])
        o["inference"] = .object(inf)
        let m = try ModelManifest(.object(o))
        #expect(m.spatialDims == .two(plane: .coronal))
    }

    @Test func errorsNameTheField() {
        func mutated(_ change: (inout [String: JSONValue]) -> Void) -> String? {
            var o = sampleManifestValue()
            change(&o)
            return manifestError(o)
        }
        #expect(mutated { $0["weights"] = .object(["file": .string("w.safetensors")]) } == "model.json: weights.sha256: missing")
        #expect(mutated { $0.removeValue(forKey: "weights") } == "model.json: weights: missing")
        #expect(mutated { $0["colour"] = .number(1) } == "model.json: colour: unknown key; remove it or check its spelling")
        #expect(mutated { $0["orientation"] = .string("RAX") }?.hasPrefix("model.json: orientation: orientation \"RAX\": \"X\" is not an axis code") == true)
        #expect(mutated { $0["orientation"] = .string("RLS") }?.contains("names an axis twice") == true)
        #expect(mutated { $0["spacing"] = .array([.number(1), .number(1)]) } == "model.json: spacing: must have 3 numbers, not 2")
        #expect(mutated { $0["spacing"] = .array([.number(1), .string("x"), .number(1)]) } == "model.json: spacing[1]: must be a number, not a string")
        #expect(mutated {
            guard case .array(var t) = $0["intensity"]! else { return }
            t.append(.object(["name": .string("HistogramNormalize")]))
            $0["intensity"] = .array(t)
        }?.hasPrefix("model.json: intensity[3].name: unknown transform \"HistogramNormalize\"") == true)
        #expect(mutated {
            guard case .array(var t) = $0["intensity"]!, case .object(var first) = t[0] else { return }
            first["a_mni"] = .number(0)
            t[0] = .object(first)
            $0["intensity"] = .array(t)
        } == "model.json: intensity[0].a_mni: unknown key; remove it or check its spelling")
        #expect(mutated {
            guard case .array(var labels) = $0["labels"]!, case .object(var l) = labels[0],
                  case .object(var cat) = l["category"]! else { return }
            cat.removeValue(forKey: "value")
            l["category"] = .object(cat)
            labels.append(.object(l))
            labels[1] = .object(l.merging(["index": .number(2)]) { $1 })
            $0["labels"] = .array(labels)
        } == "model.json: labels[1].category.value: missing")
        #expect(mutated {
            guard case .object(var inf) = $0["inference"]! else { return }
            inf["mode"] = .string("triangle")
            $0["inference"] = .object(inf)
        } == "model.json: inference.mode: \"triangle\" is not one of \"constant\", \"gaussian\"")
        #expect(mutated { $0["postprocessing"] = .object(["keepLargestComponent": .array([.number(3)])]) }
            == "model.json: postprocessing.keepLargestComponent[0]: label 3 is not in labels")
        #expect(mutated { $0["output"] = .object(["activation": .string("relu")]) }?.hasPrefix("model.json: output.activation:") == true)
        #expect(mutated { $0["spatialDims"] = .number(4) } == "model.json: spatialDims: must be 2 or 3, not 4")
    }

    @Test func axisCodesRoundTripAndAcceptAnyPermutation() throws {
        for code in ["RAS", "LPS", "PIR", "SAL", "ILA", "ras"] {
            #expect(try AxisCodes(code).description == code.uppercased())
        }
        #expect(throws: ModelError.self) { try AxisCodes("RA") }
        #expect(throws: ModelError.self) { try AxisCodes("RAA") }
    }
}
