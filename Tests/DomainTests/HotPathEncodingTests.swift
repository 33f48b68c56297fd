import Domain
import Testing

/// The hand-written encoders of the request path agree with the specifications they replace Foundation for.
struct HotPathEncodingTests {
    /// RFC 4648 §10 test vectors, in the base64url alphabet without padding (§5).
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func base64URLMatchesTheRFC4648Vectors(_ input: String, _ expected: String) {
        #expect(SecretToken.base64URL(Array(input.utf8)) == expected)
    }

    @Test func base64URLUsesTheURLSafeAlphabetForTheLastTwoDigits() {
        #expect(SecretToken.base64URL([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(SecretToken.base64URL([0xFF]) == "_w")
        #expect(SecretToken.base64URL(Array(repeating: 0, count: 32)) == String(repeating: "A", count: 43))
    }

    @Test func aNewTokenIsItsPrefixAnd43Base64URLCharacters() {
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: "cw_at_", using: &generator)
        #expect(SecretToken.isWellFormed(token, prefix: "cw_at_"))
    }

    @Test(arguments: [
        ("  Bearer x \t", "Bearer x"), ("\t\t", ""), ("", ""), ("a", "a"), (" a b ", "a b"), ("\u{A0}a\u{A0}", "\u{A0}a\u{A0}"),
    ])
    func httpWhitespaceIsSpaceAndTabOnly(_ input: String, _ expected: String) {
        #expect(input.trimmingHTTPWhitespace() == expected)
        #expect(input[...].trimmingHTTPWhitespace() == expected)
    }
}
