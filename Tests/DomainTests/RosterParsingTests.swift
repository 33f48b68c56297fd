import Testing

@testable import Domain

private func parse(_ text: String, file: String = "users.csv") -> (CSVTable?, [RosterProblem]) {
    parse(Array(text.utf8), file: file)
}

private func parse(_ bytes: [UInt8], file: String = "users.csv") -> (CSVTable?, [RosterProblem]) {
    var problems = RosterProblemList()
    let table = CSVTable.parse(bytes, file: file, problems: &problems)
    return (table, problems.all)
}

/// RFC 4180 reading as real exports need it, and line numbers an editor agrees with.
@Suite struct RosterParsingTests {
    @Test func quotedFieldsKeepCommasAndDoubledQuotes() throws {
        let (table, problems) = parse("id,name\n1,\"O'Neil, \"\"Jr.\"\"\"\n")
        #expect(problems.isEmpty)
        let record = try #require(table?.records.first)
        #expect(record.fields == ["1", "O'Neil, \"Jr.\""])
    }

    @Test(arguments: ["\r\n", "\n", "\r"])
    func everyLineEndReadsTheSame(lineEnd: String) throws {
        let (table, problems) = parse(["id,name", "1,Ada", "2,Grace"].joined(separator: lineEnd) + lineEnd)
        #expect(problems.isEmpty)
        #expect(table?.records.map(\.fields) == [["1", "Ada"], ["2", "Grace"]])
        #expect(table?.records.map(\.line) == [2, 3])
    }

    @Test func aMissingFinalLineEndLosesNothing() {
        let (table, _) = parse("id,name\n1,Ada")
        #expect(table?.records.map(\.fields) == [["1", "Ada"]])
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnName() {
        let (table, problems) = parse([0xEF, 0xBB, 0xBF] + Array("sourcedId,name\r\nu1,Ada\r\n".utf8))
        #expect(problems.isEmpty)
        #expect(table?.header == ["sourcedId", "name"])
        #expect(table?.columns["sourcedId"] == 0)
    }

    @Test func aRecordWithEmbeddedLineBreaksStartsWhereItsFirstCharacterIs() {
        let text = "id,note\n1,\"two\nlines\"\n2,\"three\r\nmore\r\nlines\"\n3,plain\n"
        let (table, problems) = parse(text)
        #expect(problems.isEmpty)
        #expect(table?.records.map(\.line) == [2, 4, 7])
        #expect(table?.records[1].fields[1] == "three\r\nmore\r\nlines")
    }

    @Test func blankLinesAreSkippedButStillCounted() {
        let (table, problems) = parse("id,name\n\n1,Ada\n\n\n2,Grace\n\n")
        #expect(problems.isEmpty)
        #expect(table?.records.map(\.line) == [3, 6])
    }

    @Test func valuesAreTrimmedAndATrailingCommaIsAnEmptyLastField() {
        let (table, problems) = parse("a,b,c\n  x , y\t,\n")
        #expect(problems.isEmpty)
        #expect(table?.records.first?.fields == ["x", "y", ""])
    }

    @Test func aQuoteInsideAnUnquotedFieldIsText() {
        let (table, problems) = parse("id,name\n1,5\" floppy\n")
        #expect(problems.isEmpty)
        #expect(table?.records.first?.fields == ["1", "5\" floppy"])
    }

    @Test func invalidUTF8IsReportedWithFileLineAndColumn() {
        let bytes = Array("id,givenName\n1,Ada\n2,Chlo".utf8) + [0xE9] + Array("\n".utf8)
        let (table, problems) = parse(bytes)
        #expect(
            problems == [
                RosterProblem(
                    file: "users.csv", line: 3, column: "givenName",
                    message: "the text is not valid UTF-8: save the file as UTF-8")
            ])
        #expect(table?.records.count == 2)
    }

    @Test func invalidUTF8AfterAnEmbeddedLineBreakIsReportedOnTheRecordsFirstLine() {
        let bytes = Array("id,note\n1,\"a\nb".utf8) + [0xFF] + Array("\"\n".utf8)
        let (_, problems) = parse(bytes)
        #expect(problems.map(\.line) == [2])
    }

    @Test func anUnclosedQuoteIsReportedWhereTheRecordStarts() {
        let (table, problems) = parse("id,name\n1,Ada\n2,\"Grace\n3,Hedy\n")
        #expect(
            problems == [
                RosterProblem(
                    file: "users.csv", line: 3, column: nil, message: "a quoted field is never closed: a \" is missing")
            ])
        #expect(table?.records.map(\.line) == [2])
    }

    @Test func textAfterAClosingQuoteIsReported() {
        let (table, problems) = parse("id,name\n1,\"Ada\" Lovelace\n2,Grace\n")
        #expect(problems.map(\.line) == [2])
        #expect(problems.first?.message.hasPrefix("text follows the closing quote") == true)
        #expect(table?.records.map(\.line) == [3])
    }

    @Test func aRecordOfTheWrongWidthIsReported() {
        let (table, problems) = parse("id,name,email\n1,Ada\n2,Grace,g@x.example\n")
        #expect(
            problems == [
                RosterProblem(
                    file: "users.csv", line: 2, column: nil, message: "the record has 2 fields but the header has 3")
            ])
        #expect(table?.records.map(\.line) == [3])
    }

    @Test func anEmptyFileHasNoHeader() {
        let (table, problems) = parse("\n\n")
        #expect(table == nil)
        #expect(
            problems == [
                RosterProblem(
                    file: "users.csv", line: nil, column: nil, message: "the file is empty: a header row is required")
            ])
    }

    @Test func aRepeatedHeaderColumnIsReported() {
        let (_, problems) = parse("id,name,id\n1,a,2\n")
        #expect(
            problems.map(\.description) == [
                "users.csv line 1, column id: the column appears twice in the header (columns 1 and 3)"
            ])
    }

    @Test(arguments: [
        ("2019-08-21T14:02:37.123Z", true), ("2019-08-21T14:02:37Z", true), ("2019-08-21T14:02:37+02:00", true),
        ("2019-08-21T14:02:37-0500", true), ("2019-08-21T14:02Z", true), ("2019-08-21", true),
        ("2019-08-21T25:00:00Z", false), ("2019-02-30T10:00:00Z", false), ("21/08/2019", false),
        ("2019-08-21T14:02:37.Z", false), ("yesterday", false), ("2019-08-21 14:02:37", false),
    ])
    func dateTimesAreISO8601(text: String, valid: Bool) {
        #expect(RosterRow.isDateTime(text) == valid)
    }

    @Test func aProblemDescribesItsLocation() {
        #expect(
            RosterProblem(file: "users.csv", line: 4, column: "role", message: "'wizard' is not one of …").description
                == "users.csv line 4, column role: 'wizard' is not one of …")
        #expect(
            RosterProblem(file: "users.csv", line: nil, column: nil, message: "missing").description
                == "users.csv: missing")
        #expect(
            RosterProblem(file: "users.csv", line: 1, column: nil, message: "x").description == "users.csv line 1: x")
    }

    @Test func aReportKeepsTwoHundredProblemsAndCountsTheRest() {
        let problems = (1...250).map { RosterProblem(file: "users.csv", line: $0, column: nil, message: "bad") }
        let report = RosterReport(problems: problems)
        #expect(report.problems.count == 200)
        #expect(report.omitted == 50)
        #expect(report.lines.last == "and 50 more problems")
    }
}
