import DICOM
import Foundation
import Imaging

/// The fields routing rules can test, for one series: its DICOM attributes by keyword plus derived fields.
public struct SeriesFacts: Sendable, Equatable {
    /// The derived fields.
    public static let derivedFields = ["plane", "slices", "sliceSpacing"]
    /// The DICOM keywords available (what the DICOM module copies into `SeriesStack.attributes`).
    public static let dicomFields = SeriesStack.routingKeywords
    /// Every field a condition may name.
    public static let allFields = Set(derivedFields + dicomFields)

    /// Field -> value, as text (numbers in their shortest decimal form).
    public var values: [String: String]

    public init(values: [String: String]) { self.values = values }

    /// The facts of a stack: its attributes (Modality included) and the derived fields.
    public init(stack: SeriesStack) {
        var v = stack.attributes
        if v["Modality"] == nil, !stack.modality.isEmpty { v["Modality"] = stack.modality }
        v["plane"] = Plane(direction: stack.geometry.direction).rawValue
        v["slices"] = String(stack.sliceCount)
        v["sliceSpacing"] = Self.format(stack.geometry.spacing.z)
        self.init(values: v)
    }

    public subscript(field: String) -> String? { values[field] }

    static func format(_ x: Double) -> String {
        let rounded = (x * 1e6).rounded() / 1e6
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }
}

/// The acquisition plane of a stack, from its slice normal (the volume's z axis).
public enum Plane: String, Sendable, CaseIterable {
    case axial, coronal, sagittal, oblique

    /// A normal within this angle of a patient axis counts as that plane; beyond it, the stack is oblique.
    public static let toleranceDegrees = 10.0

    /// LPS: a normal along x (left-right) is sagittal, along y (anterior-posterior) coronal, along z axial.
    public init(direction: Matrix3) {
        let n = direction[column: 2]
        let length = (n * n).sum().squareRoot()
        guard length > 0 else {
            self = .oblique
            return
        }
        let components = [abs(n.x), abs(n.y), abs(n.z)].map { $0 / length }
        let axis = components.indices.max { components[$0] < components[$1] }!
        let cosine = min(1, components[axis])
        guard cosine >= cos(Self.toleranceDegrees * .pi / 180) else {
            self = .oblique
            return
        }
        self = [Plane.sagittal, .coronal, .axial][axis]
    }
}
