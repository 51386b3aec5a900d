import Testing
@testable import SegDaemon

@Suite struct TOMLParserTests {
    func parse(_ text: String) -> (TOMLTable, [ConfigDiagnostic]) { TOMLParser.parse(text) }

    @Test func scalarsStringsAndComments() throws {
        let (root, errors) = parse("""
            # comment
            a = "x\\ty\\u00e9\\"" # trailing comment
            b = 'C:\\no\\escapes'
            c = -1_000
            d = 0x1F
            e = 0o660
            f = 3.5e2
            g = true
            "quoted key" = false
            h = +7
            i = 0
            """)
        #expect(errors.isEmpty, "\(errors)")
        guard case .string("x\ty\u{e9}\"")? = root["a"]?.value else { Issue.record("a: \(String(describing: root["a"]))"); return }
        guard case .string("C:\\no\\escapes")? = root["b"]?.value else { Issue.record("b"); return }
        guard case .integer(-1000)? = root["c"]?.value, case .integer(31)? = root["d"]?.value,
              case .integer(0o660)? = root["e"]?.value, case .float(350)? = root["f"]?.value,
              case .boolean(true)? = root["g"]?.value, case .boolean(false)? = root["quoted key"]?.value,
              case .integer(7)? = root["h"]?.value, case .integer(0)? = root["i"]?.value
        else { Issue.record("numbers/booleans: \(root.keys)"); return }
        #expect(root["c"]?.line == 4 && root["c"]?.column == 5)
    }

    @Test func tablesArraysOfTablesDottedKeysAndInlineTables() throws {
        let (root, errors) = parse("""
            [server]
            limits.max = 3
            [[item]]
            name = "one"
            list = [
              1, 2, # two
              3,
            ]
            [[item]]
            name = "two"
            cond = [{ field = "Modality", equals = "CT" }, {}]
            [item.sub]
            deep = 1
            """)
        #expect(errors.isEmpty, "\(errors)")
        guard case .table(let server)? = root["server"]?.value, case .table(let limits)? = server["limits"]?.value,
              case .integer(3)? = limits["max"]?.value else { Issue.record("server.limits.max"); return }
        guard case .tableArray(let items)? = root["item"]?.value, items.count == 2 else { Issue.record("items"); return }
        guard case .array(let list)? = items[0]["list"]?.value else { Issue.record("list"); return }
        #expect(list.map(\.line) == [6, 6, 7])
        guard case .array(let cond)? = items[1]["cond"]?.value, case .table(let c0) = cond[0].value,
              case .string("CT")? = c0["equals"]?.value else { Issue.record("inline table"); return }
        guard case .table(let sub)? = items[1]["sub"]?.value, case .integer(1)? = sub["deep"]?.value else {
            Issue.record("[item.sub] belongs to the last [[item]]"); return
        }
        #expect(items[1].line == 9)
    }

    @Test func everySyntaxErrorIsReportedWithLineAndColumn() throws {
        let (_, errors) = parse("""
            a = 1
            a = 2
            b = "open
            c = 1979-05-27
            d = 012
            e = [1, 2
            f = { x = 1,
            g = nope
            [a]
            h = \"\"\"multi\"\"\"
            i = 1 j = 2
            [t]
            [t]
            k = 'ok'
            """)
        let lines = errors.map(\.line)
        try #require(lines == [2, 3, 4, 5, 7, 8, 9, 10, 11, 13], "\(errors.map(\.description))")
        #expect(errors[0].message.contains("duplicate key 'a'") && errors[0].key == "a")
        #expect(errors[1].message.contains("unterminated string") && errors[1].column == 5)
        #expect(errors[2].message.contains("dates"))
        #expect(errors[3].message.contains("leading zeros"))
        #expect(errors[4].message.contains("array opened on line 6"))
        #expect(errors[6].message.contains("already defined"))
        #expect(errors[7].message.contains("multi-line"))
        #expect(errors[8].message.contains("one key = value per line"))
        #expect(errors[9].key == "t" && errors[9].message.contains("line 12"))
    }

    @Test func recoveryDoesNotInventErrorsInsideABrokenMultiLineArray() {
        let (root, errors) = parse("""
            a = [
              "x",
              oops,
              "y",
            ]
            b = 2
            """)
        #expect(errors.count == 1 && errors[0].line == 3, "\(errors)")
        guard case .integer(2)? = root["b"]?.value else { Issue.record("b after recovery"); return }
    }

    @Test func controlCharactersAndBadEscapesAreRejected() {
        #expect(parse("a = \"x\\qy\"").1.first?.message.contains("invalid escape") == true)
        #expect(parse("a = \"x\u{1}y\"").1.first?.message.contains("control character") == true)
        #expect(parse("a = \"\\uD800\"").1.count == 1, "surrogates are not scalars")
        #expect(parse("a = 9223372036854775808").1.first?.message.contains("out of range") == true)
        #expect(parse("a = 1__0").1.count == 1)
        #expect(parse("a = .5").1.count == 1)
    }
}
