import Foundation
import Testing

@testable import FCGIApp

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
