import Crypto
import Domain
import Foundation
import Testing

/// Recovery codes: generation, what a user may type, digests and matching.
@Suite struct DeveloperRecoveryCodesTests {
    let key = SymmetricKey(data: (0..<32).map(UInt8.init))

    @Test func tenDistinctCodesShapedXxxxXxxxXx() {
        var generator = OAuthFixtures.CountingGenerator()
        let codes = RecoveryCodes.generate(using: &generator)
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        for code in codes {
            let parts = code.split(separator: "-", omittingEmptySubsequences: false)
            #expect(parts.map(\.count) == [4, 4, 2])
            #expect(code.filter { $0 != "-" }.allSatisfy(RecoveryCodes.alphabet.contains))
        }
    }

    @Test func theAlphabetHasNoLookAlikes() {
        for character in "0o1li" { #expect(!RecoveryCodes.alphabet.contains(character)) }
        #expect(RecoveryCodes.alphabet.count == 31)
    }

    @Test func theSameGeneratorStateGivesTheSameCodes() {
        var first = OAuthFixtures.CountingGenerator()
        var second = OAuthFixtures.CountingGenerator()
        let set = RecoveryCodes.generate(using: &first)
        #expect(set == RecoveryCodes.generate(using: &second))
        #expect(set != RecoveryCodes.generate(using: &first))
    }

    @Test(arguments: ["k7m2-9qxa-4t", "K7M2-9QXA-4T", "k7m29qxa4t", " k7m2 9qxa 4t ", "k7-m2-9q-xa-4t"])
    func caseDashesAndSpacesDoNotMatter(typed: String) {
        #expect(RecoveryCodes.normalize(typed) == "k7m29qxa4t")
        // SHA-256("k7m29qxa4t") and HMAC-SHA256(bytes 0…31, "k7m29qxa4t"), computed with Python's hashlib and hmac.
        #expect(
            RecoveryCodes.legacyDigest(typed)?.map { String(format: "%02x", $0) }.joined()
                == "8ffec2d9f1f2ebcb3f4a0d1202e728e65422271edb44800d32741ae55b39609c")
        #expect(
            RecoveryCodes.digest(typed, key: SymmetricKey(data: (0..<32).map(UInt8.init)))?.map { String(format: "%02x", $0) }.joined()
                == "1081c393719db34f3ba066e596ca19df871eb452708d788e9cb9fe622c33eae1")
    }

    @Test(arguments: [
        "", "k7m2-9qxa-4", "k7m2-9qxa-4tt", "k7m2-9qxa-40", "k7m2_9qxa_4t", "k7m2-9qxa-4ť", String(repeating: " ", count: 100) + "k7m29qxa4t",
    ])
    func anythingElseIsNotACode(typed: String) {
        #expect(RecoveryCodes.normalize(typed) == nil)
        #expect(RecoveryCodes.digest(typed, key: key) == nil)
        #expect(RecoveryCodes.match(typed, unusedDigests: [], key: key) == nil)
    }

    @Test func aCodeMatchesItsOwnUnusedDigestOnly() {
        var generator = OAuthFixtures.CountingGenerator()
        let codes = RecoveryCodes.generate(using: &generator)
        let digests = codes.compactMap { RecoveryCodes.digest($0, key: key) }
        #expect(RecoveryCodes.match(codes[3].uppercased(), unusedDigests: digests, key: key) == 3)
        var remaining = digests
        remaining.remove(at: 3)
        #expect(RecoveryCodes.match(codes[3], unusedDigests: remaining, key: key) == nil)
        #expect(RecoveryCodes.match("2222-2222-22", unusedDigests: digests, key: key) == nil)
        // Another key's digests do not match: a dump of the table cannot be tested without the key file.
        #expect(RecoveryCodes.match(codes[3], unusedDigests: digests, key: SymmetricKey(size: .bits256)) == nil)
        // A set stored before the digests were keyed keeps working until it is replaced.
        let legacy = codes.compactMap(RecoveryCodes.legacyDigest)
        #expect(RecoveryCodes.match(codes[5], unusedDigests: legacy, key: key) == 5)
    }
}

/// API keys: format, visible prefix, keyed digest and the create form.
@Suite struct DeveloperAPIKeyTests {
    static let hmacKey = SymmetricKey(data: [UInt8](repeating: 9, count: 32))

    @Test func keysAreCwKeyAnd256Bits() {
        var generator = OAuthFixtures.CountingGenerator()
        let key = APIKey.make(using: &generator)
        #expect(key.hasPrefix("cw_key_"))
        #expect(APIKey.isWellFormed(key))
        #expect(OAuthFixtures.base64URLDecode(key.dropFirst(7))?.count == 32)
        #expect(!APIKey.isWellFormed("cw_cs_" + key.dropFirst(7)))
    }

    @Test func theVisiblePrefixIsTheTypeAndEightCharacters() {
        let key = "cw_key_AbCdEfGh" + String(repeating: "x", count: 35)
        #expect(APIKey.visiblePrefix(of: key) == "cw_key_AbCdEfGh")
        #expect(APIKey.visiblePrefix(of: "cw_key_short") == nil)
    }

    @Test func theDigestIsHMACSHA256WithTheRFC4231Case2Vector() {
        let digest = APIKey.digest(key: "what do ya want for nothing?", hmacKey: SymmetricKey(data: Array("Jefe".utf8)))
        #expect(digest.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aKeyMatchesItsDigestUnderTheSameHMACKeyOnly() {
        let digest = APIKey.digest(key: "cw_key_a", hmacKey: Self.hmacKey)
        #expect(APIKey.matches(key: "cw_key_a", digest: digest, hmacKey: Self.hmacKey))
        #expect(!APIKey.matches(key: "cw_key_b", digest: digest, hmacKey: Self.hmacKey))
        #expect(!APIKey.matches(key: "cw_key_a", digest: digest, hmacKey: SymmetricKey(data: [UInt8](repeating: 1, count: 32))))
    }

    @Test func aKeyGetsAppLevelScopesTheAppWasApprovedFor() throws {
        let approved = ["openid", "school.read", "student.grades.read"]
        #expect(APIKey.allowedScopes(approvedScopes: approved) == ["school.read"])
        let valid = try APIKey.validate(name: " Nightly import ", scopes: ["school.read"], approvedScopes: approved).get()
        #expect(valid.name == "Nightly import")
        #expect(valid.scopes == ["school.read"])
    }

    @Test func userScopesUnapprovedScopesAndEmptyChoicesAreRefused() {
        func errors(_ name: String, _ scopes: [String], approved: [String] = ["openid", "school.read"]) -> SchoolworkForms.FieldErrors {
            if case .failure(let errors) = APIKey.validate(name: name, scopes: scopes, approvedScopes: approved) { return errors }
            return [:]
        }
        #expect(errors("k", ["openid"])["scopes"]?.english == "This app's keys cannot have the scope openid.")
        #expect(errors("k", ["school.read"], approved: ["openid"])["scopes"]?.english == "This app's keys cannot have the scope school.read.")
        #expect(errors("k", [])["scopes"]?.english == "Choose at least one scope.")
        #expect(errors("", ["school.read"])["name"]?.english == "Give the key a name, such as where it is used.")
        #expect(errors(String(repeating: "n", count: 81), ["school.read"])["name"]?.english == "Use at most 80 characters.")
    }
}

/// Webhook secrets and Standard Webhooks signatures.
@Suite struct DeveloperWebhookSecretTests {
    static let keyBytes = (0..<32).map(UInt8.init)
    static let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    static let timestamp: Int64 = 1_674_087_231
    static let body = Array(#"{"event_type":"ping","data":{"app_id":42}}"#.utf8)
    /// Cross-checked with Python:
    /// `base64.b64encode(hmac.new(bytes(range(32)), b'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231.'
    ///  + b'{"event_type":"ping","data":{"app_id":42}}', hashlib.sha256).digest())`
    static let expected = "v1,fmck8PaYNWzNuEJXWBaft/37ZDyszDaG1ViPQYVKYtc="

    @Test func theSignatureIsV1AndBase64HMACOfIdTimestampAndBody() {
        #expect(WebhookSecret.signature(keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.expected)
    }

    @Test func aSecretIsWhsecAndBase64Of32BytesThatDecodeToTheKey() {
        #expect(WebhookSecret.keyBytes(of: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") == Self.keyBytes)
        var generator = OAuthFixtures.CountingGenerator()
        let secret = WebhookSecret.make(using: &generator)
        #expect(secret.hasPrefix("whsec_"))
        #expect(WebhookSecret.keyBytes(of: secret)?.count == 32)
        #expect(WebhookSecret.keyBytes(of: "whsec_AAEC") == nil)
        #expect(WebhookSecret.keyBytes(of: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") == nil)
    }

    @Test func aReceiverAcceptsTheSignatureAmongOthersWithinFiveMinutes() {
        let sent = Date(timeIntervalSince1970: TimeInterval(Self.timestamp))
        let header = "v1,bm90IHRoaXMgb25l " + Self.expected
        #expect(
            WebhookSecret.verify(
                header: header, keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp, body: Self.body, now: sent.addingTimeInterval(300)))
        #expect(
            !WebhookSecret.verify(
                header: header, keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp, body: Self.body, now: sent.addingTimeInterval(301)))
        #expect(
            !WebhookSecret.verify(
                header: header, keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp, body: Self.body, now: sent.addingTimeInterval(-301)))
    }

    @Test func changingTheIdTimestampOrBodyBreaksTheSignature() {
        let now = Date(timeIntervalSince1970: TimeInterval(Self.timestamp))
        #expect(
            !WebhookSecret.verify(
                header: Self.expected, keyBytes: Self.keyBytes, id: "msg_other", timestamp: Self.timestamp, body: Self.body, now: now))
        #expect(
            !WebhookSecret.verify(
                header: Self.expected, keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp + 1, body: Self.body, now: now))
        #expect(
            !WebhookSecret.verify(
                header: Self.expected, keyBytes: Self.keyBytes, id: Self.id, timestamp: Self.timestamp, body: Self.body + [0x20], now: now))
        #expect(
            !WebhookSecret.verify(
                header: Self.expected, keyBytes: [UInt8](repeating: 0, count: 32), id: Self.id, timestamp: Self.timestamp, body: Self.body, now: now))
    }
}

/// CSV downloads that spreadsheets cannot turn into formulas.
@Suite struct DeveloperAnalyticsCSVTests {
    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
        ("=HYPERLINK(\"https://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\""),
        ("\r=1", "\"'\r=1\""), ("\n=1", "\"'\n=1\""),
        ("-12", "-12"), ("-3.5", "-3.5"), ("42", "42"), ("-", "'-"), ("-1.", "'-1."), ("- 1", "'- 1"),
        ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\r\nlines", "\"two\r\nlines\""),
        ("plain", "plain"), ("", ""), ("2026-05-01", "2026-05-01"), (" =1", " =1"),
    ])
    func cellsAreGuardedAndQuoted(value: String, cell: String) {
        #expect(AnalyticsCSV.cell(value) == cell)
    }

    @Test func aDocumentIsTheHeaderThenRowsWithCRLF() {
        let csv = AnalyticsCSV.document(
            header: ["date", "api_requests", "app"], rows: [["2026-05-01", "12", "=cmd|' /C calc'!A0"], ["2026-05-02", "0", "A, B"]])
        #expect(csv == "date,api_requests,app\r\n2026-05-01,12,'=cmd|' /C calc'!A0\r\n2026-05-02,0,\"A, B\"\r\n")
    }
}
