import Testing
@testable import SegDaemon

@Suite struct RuleConfigTests {
    @Test func conditionsOfEveryKindAreRead() throws {
        let c = try SegdConfiguration.parse("""
            [[rule]]
            name = "r"
            models = ["a", "b.v2"]
            when = [
              { field = "Modality", in = ["CT", "PT"] },
              { field = "SeriesDescription", regex = '^ax.*\\d', ignoreCase = true },
              { field = "sliceSpacing", min = 0.5, max = 5 },
              { field = "BodyPartExamined", exists = false },
              { field = "SeriesNumber", equals = 3 },
            ]
            [[rule]]
            name = "catch-all"
            models = ["c"]
            """)
        #expect(c.rules.count == 2)
        let r = c.rules[0]
        #expect(r.models == ["a", "b.v2"] && r.line == 1)
        #expect(r.conditions.map(\.test) == [
            .oneOf([.text("CT"), .text("PT")]), .regex("^ax.*\\d"), .range(min: 0.5, max: 5), .exists(false),
            .equals(.number(3)),
        ])
        #expect(r.conditions[1].ignoreCase && r.conditions.map(\.line) == [5, 6, 7, 8, 9])
        #expect(c.rules[1].conditions.isEmpty)
    }

    @Test func badRulesAreReportedOnTheirLines() throws {
        let (config, d) = SegdConfiguration.read("""
            [[rule]]
            name = "a"
            models = ["ok", "../x"]
            when = [
              { field = "modality", equals = "CT" },
              { field = "Colour", equals = "red" },
              { field = "SeriesDescription", regex = "([" },
              { field = "slices", min = 10, max = 5 },
              { field = "plane", equals = "axial", in = ["coronal"] },
              { field = "plane" },
              { field = "slices", min = "ten" },
              { field = "plane", equals = "axial", typo = 1 },
              "Modality == CT",
            ]
            [[rule]]
            name = "a"
            models = ["m"]
            [[rule]]
            models = []
            """)
        let got = d.map { "\($0.line) \($0.key)" }
        #expect(got == [
            "3 rule[1].models", "5 rule[1].when[1].field", "6 rule[1].when[2].field", "7 rule[1].when[3].regex",
            "8 rule[1].when[4]", "9 rule[1].when[5]", "10 rule[1].when[6]", "11 rule[1].when[7].min",
            "12 rule[1].when[8].typo", "13 rule[1].when[9]", "16 rule[2].name", "18 rule[3].name", "19 rule[3].models",
        ], "\(d.map(\.description))")
        #expect(d[1].message.contains("did you mean \"Modality\""))
        #expect(d[2].message.contains("plane, slices, sliceSpacing"))
        #expect(d[4].message.contains("greater than max"))
        #expect(d[5].message.contains("several tests"))
        #expect(d[10].message.contains("already the name of rule[1]"))
        #expect(config.rules.map(\.name) == ["a"], "only the valid second rule survives")
    }
}
