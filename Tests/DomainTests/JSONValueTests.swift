import Domain
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func membersKeepTheirOrderAndStringsAreEscaped() {
        let value: JSONValue = ["b": "quote \" backslash \\ newline \n tab \t bell \u{7} é😀", "a": [1, true, nil, .double(2.5)]]
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"b":"quote \" backslash \\ newline \n tab \t bell \u0007 é😀","a":[1,true,null,2.5]}"#)
    }

    @Test func theOutputParsesBackAsJSON() throws {
        let value: JSONValue = ["error": "invalid_request", "error_description": "</script><script>alert(1)</script>\u{0}"]
        let parsed = try JSONSerialization.jsonObject(with: Data(value.serialized())) as? [String: String]
        #expect(parsed?["error_description"] == "</script><script>alert(1)</script>\u{0}")
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(String(decoding: JSONValue.double(.infinity).serialized(), as: UTF8.self) == "null")
    }
}

@Suite struct FormCodecTests {
    @Test func encodingKeepsUnreservedCharactersAndSlashesAndDecodingRoundTrips() throws {
        let value = "/authsso?scope=openid profile&x=é+%"
        let encoded = FormCodec.encode(value)
        #expect(encoded == "/authsso%3Fscope%3Dopenid%20profile%26x%3D%C3%A9%2B%25")
        #expect(try FormCodec.percentDecode(Substring(encoded).utf8, plusAsSpace: true, what: "a value") == value)
    }

    @Test func malformedEscapesAndInvalidUTF8AreRefusedNamingWhere() {
        #expect(throws: FormCodec.Failure(message: "invalid percent-encoding in the query string")) {
            try FormCodec.parsePairs("a=%4", what: "the query string")
        }
        #expect(throws: FormCodec.Failure(message: "the path is not valid UTF-8")) {
            try FormCodec.percentDecode(Substring("%FF").utf8, plusAsSpace: false, what: "the path")
        }
    }
}
