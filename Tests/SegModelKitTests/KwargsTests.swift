import SegModelKit
import Testing

@Suite struct KwargsTests {
    let json = """
        {"name": "x", "class": "monai.networks.nets.UNet",
         "kwargs": {"spatial_dims": 3, "channels": [4, 8, 16], "norm": "batch", "act": null, "bias": true,
                    "dropout": 0.0}}
        """

    @Test func readsTypedValuesAndDefaults() throws {
        let d = try NetworkDescription(json: json)
        #expect(d.className == "monai.networks.nets.UNet")
        var k = Kwargs(d)
        #expect(try k.int("spatial_dims") == 3)
        #expect(try k.ints("channels") == [4, 8, 16])
        #expect(try k.string("norm") == "batch")
        #expect(try k.string("act", default: "PRELU") == "PRELU")
        #expect(try k.bool("bias") == true)
        #expect(try k.double("dropout") == 0)
        #expect(try k.int("num_res_units", default: 0) == 0)
        try k.finish()
    }

    @Test func unusedKwargIsRejectedByName() throws {
        var k = Kwargs(try NetworkDescription(json: json))
        _ = try k.int("spatial_dims")
        do {
            try k.finish()
            Issue.record("unused kwargs were accepted")
        } catch {
            #expect(error.message.contains("\"channels\""))
            #expect(error.message.contains("\"norm\""))
        }
    }

    @Test func wrongTypesAndMissingValuesNameTheKwarg() throws {
        var k = Kwargs(try NetworkDescription(json: json))
        #expect(throws: ModelError.self) { try k.int("norm") }
        #expect(throws: ModelError.self) { try k.ints("bias") }
        #expect(throws: ModelError.self) { try k.int("in_channels") }
        #expect(throws: ModelError.self) { try NetworkDescription(json: "[1]") }
        #expect(throws: ModelError.self) { try NetworkDescription(json: "{\"kwargs\": {}}") }
        #expect(throws: ModelError.self) { try NetworkDescription(json: "{not json") }
    }

    @Test func broadcastsScalarToList() throws {
        var k = Kwargs(NetworkDescription(className: "C", kwargs: ["strides": .number(2)]))
        #expect(try k.ints("strides", broadcast: 3) == [2, 2, 2])
    }
}
