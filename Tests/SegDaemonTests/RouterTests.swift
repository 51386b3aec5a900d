import Foundation
import Imaging
import Testing
@testable import DICOM
@testable import SegDaemon

@Suite struct RouterTests {
    /// A synthetic stack with `slices` slices along the direction's third column.
    static func stack(modality: String = "CT", direction: Matrix3 = .identity, slices: Int = 40, spacing: Double = 2.5,
                      attributes: [String: String] = [:]) -> SeriesStack {
        let sources = (0..<slices).map { k in
            SourceFrame(path: "/x/\(k)", sopClassUID: "1.2.840.10008.5.1.4.1.1.2", sopInstanceUID: "1.2.3.\(k)",
                        frameNumber: nil, imagePositionPatient: direction[column: 2] * (Double(k) * spacing),
                        rescaleSlope: 1, rescaleIntercept: 0)
        }
        var attrs = attributes
        attrs["Modality"] = modality
        return SeriesStack(
            geometry: Geometry(size: SIMD3(64, 64, slices), spacing: Vector3(0.7, 0.7, spacing), origin: .zero,
                               direction: direction),
            sources: sources, studyInstanceUID: "1.2", seriesInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.4",
            modality: modality, attributes: attrs, emptyUIDs: [])
    }

    static func rotationX(_ degrees: Double) -> Matrix3 {
        let a = degrees * .pi / 180
        return Matrix3(columns: Vector3(1, 0, 0), Vector3(0, cos(a), sin(a)), Vector3(0, -sin(a), cos(a)))
    }

    static let sagittal = Matrix3(columns: Vector3(0, 1, 0), Vector3(0, 0, -1), Vector3(-1, 0, 0))
    static let coronal = Matrix3(columns: Vector3(1, 0, 0), Vector3(0, 0, -1), Vector3(0, 1, 0))

    @Test func planeFromTheSliceNormal() {
        #expect(Plane(direction: .identity) == .axial)
        #expect(Plane(direction: Self.sagittal) == .sagittal)
        #expect(Plane(direction: Self.coronal) == .coronal)
        #expect(Plane(direction: Self.rotationX(9.9)) == .axial, "within the 10 degree tolerance")
        #expect(Plane(direction: Self.rotationX(10.1)) == .oblique)
        #expect(Plane(direction: Self.rotationX(85)) == .coronal)
        #expect(Plane(direction: Self.rotationX(45)) == .oblique)
        #expect(Plane(direction: Matrix3(columns: .zero, .zero, .zero)) == .oblique)
    }

    @Test func derivedFieldsOfAStack() {
        let facts = SeriesFacts(stack: Self.stack(direction: Self.coronal, slices: 12, spacing: 1.25,
                                                  attributes: ["SeriesDescription": "COR T2"]))
        #expect(facts["plane"] == "coronal" && facts["slices"] == "12" && facts["sliceSpacing"] == "1.25")
        #expect(facts["Modality"] == "CT" && facts["SeriesDescription"] == "COR T2")
        #expect(SeriesFacts(stack: Self.stack(spacing: 5)).values["sliceSpacing"] == "5")
    }

    func router(_ rules: [RoutingRule]) throws -> Router { try Router(rules: rules) }

    @Test func firstMatchingRuleWinsAndSeveralModelsAreAllowed() throws {
        let r = try router([
            RoutingRule(name: "mr", models: ["mr-model"], conditions: [.init(field: "Modality", .equals(.text("MR")))]),
            RoutingRule(name: "ct-abdomen", models: ["liver", "spleen"], conditions: [
                .init(field: "Modality", .oneOf([.text("CT"), .text("PT")])),
                .init(field: "SeriesDescription", .regex("abdo"), ignoreCase: true),
            ]),
            RoutingRule(name: "ct-any", models: ["ct-generic"], conditions: [.init(field: "Modality", .equals(.text("CT")))]),
        ])
        let d = r.route(SeriesFacts(stack: Self.stack(attributes: ["SeriesDescription": "ABDOMEN 5mm"])))
        #expect(d.outcome == .routed(rule: "ct-abdomen", models: ["liver", "spleen"]))
        #expect(d.models == ["liver", "spleen"])
        #expect(d.rules.map(\.matched) == [false, true], "rules after the match are not tried")
        #expect(d.rules[0].failure?.reason == "Modality is \"CT\"")
        #expect(d.lines.last == "-> rule \"ct-abdomen\" routes to liver, spleen")
        let head = r.route(SeriesFacts(stack: Self.stack(attributes: ["SeriesDescription": "HEAD"])))
        #expect(head.outcome == .routed(rule: "ct-any", models: ["ct-generic"]))
        #expect(head.rules[1].failure?.condition.field == "SeriesDescription")
    }

    @Test func unroutedExplainsEveryRule() throws {
        let r = try router([
            RoutingRule(name: "thin", models: ["m"], conditions: [.init(field: "sliceSpacing", .range(min: nil, max: 3))], line: 10),
            RoutingRule(name: "axial", models: ["m"], conditions: [
                .init(field: "slices", .range(min: 1, max: nil)),
                .init(field: "plane", .equals(.text("axial"))),
            ], line: 20),
            RoutingRule(name: "needs-body-part", models: ["m"], conditions: [.init(field: "BodyPartExamined", .exists(true))]),
        ])
        let d = r.route(SeriesFacts(stack: Self.stack(direction: Self.sagittal, spacing: 4.8)))
        #expect(d.outcome == .unrouted && d.models.isEmpty)
        #expect(d.lines == [
            "rule \"thin\" (line 10): no: sliceSpacing in range -inf...3 failed: sliceSpacing is 4.8, above 3",
            "rule \"axial\" (line 20): no: plane equals \"axial\" failed: plane is \"sagittal\"",
            "rule \"needs-body-part\": no: BodyPartExamined exists failed: BodyPartExamined is absent",
            "-> unrouted (no rule matched)",
        ])
        #expect(try router([]).route(SeriesFacts(values: [:])).lines == ["-> unrouted (no rules configured)"])
    }

    @Test func operators() throws {
        let facts = SeriesFacts(values: ["Modality": "CT", "SeriesNumber": "3", "SliceThickness": "2.50",
                                         "ImageType": "ORIGINAL\\PRIMARY\\AXIAL", "BodyPartExamined": " "])
        func holds(_ c: RoutingCondition) throws -> Bool { try router([]).evaluate(c, facts) == nil }
        #expect(try holds(.init(field: "Modality", .equals(.text("CT")))))
        #expect(try !holds(.init(field: "Modality", .equals(.text("ct")))))
        #expect(try holds(.init(field: "Modality", .equals(.text("ct")), ignoreCase: true)))
        #expect(try holds(.init(field: "SeriesNumber", .equals(.number(3)))))
        #expect(try holds(.init(field: "SliceThickness", .equals(.number(2.5)))), "numbers compare numerically")
        #expect(try !holds(.init(field: "SliceThickness", .equals(.text("2.5")))), "text compares as text")
        #expect(try holds(.init(field: "Modality", .oneOf([.text("MR"), .text("CT")]))))
        #expect(try !holds(.init(field: "Modality", .oneOf([.text("MR")]))))
        #expect(try holds(.init(field: "ImageType", .regex("\\\\AXIAL$"))))
        #expect(try !holds(.init(field: "ImageType", .regex("^AXIAL"))))
        #expect(try holds(.init(field: "SliceThickness", .range(min: 2.5, max: 2.5))), "bounds are inclusive")
        #expect(try !holds(.init(field: "ImageType", .range(min: 0, max: nil))), "not a number")
        #expect(try !holds(.init(field: "Missing", .range(min: 0, max: nil))))
        #expect(try holds(.init(field: "Missing", .exists(false))))
        #expect(try holds(.init(field: "BodyPartExamined", .exists(false))), "blank counts as absent")
        #expect(try !holds(.init(field: "Modality", .exists(false))))
        #expect(try !holds(.init(field: "Missing", .equals(.text("")))), "an absent field equals nothing")
    }

    @Test func regexIsDataNotCode() throws {
        // A pattern is only ever matched; hostile-looking input is just text.
        let r = try router([RoutingRule(name: "x", models: ["m"], conditions: [
            .init(field: "SeriesDescription", .regex("^\\$\\(rm -rf /\\)$")),
        ])])
        #expect(r.route(SeriesFacts(values: ["SeriesDescription": "$(rm -rf /)"])).models == ["m"])
        #expect(throws: DaemonError.self) {
            try Router(rules: [RoutingRule(name: "bad", models: ["m"], conditions: [.init(field: "Modality", .regex("(["))])])
        }
    }
}
