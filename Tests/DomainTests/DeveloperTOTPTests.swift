import Domain
import Foundation
import Testing

/// RFC 6238 TOTP and RFC 4226 HOTP with their published vectors, replay refusal and the drift window.
@Suite struct DeveloperTOTPTests {
    /// RFC 6238 Appendix B seeds: the ASCII digits repeated to the hash's output length.
    static let seed1 = Array("12345678901234567890".utf8)
    static let seed256 = Array("12345678901234567890123456789012".utf8)
    static let seed512 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    struct Vector: Sendable, CustomTestStringConvertible {
        let time: TimeInterval
        let algorithm: TOTP.Algorithm
        let code: String
        var testDescription: String { "\(Int64(time)) \(algorithm.rawValue) → \(code)" }
    }

    /// Every row of RFC 6238 Appendix B (8 digits, 30 s steps, T0 = 0).
    static let appendixB: [Vector] = [
        Vector(time: 59, algorithm: .sha1, code: "94287082"),
        Vector(time: 59, algorithm: .sha256, code: "46119246"),
        Vector(time: 59, algorithm: .sha512, code: "90693936"),
        Vector(time: 1_111_111_109, algorithm: .sha1, code: "07081804"),
        Vector(time: 1_111_111_109, algorithm: .sha256, code: "68084774"),
        Vector(time: 1_111_111_109, algorithm: .sha512, code: "25091201"),
        Vector(time: 1_111_111_111, algorithm: .sha1, code: "14050471"),
        Vector(time: 1_111_111_111, algorithm: .sha256, code: "67062674"),
        Vector(time: 1_111_111_111, algorithm: .sha512, code: "99943326"),
        Vector(time: 1_234_567_890, algorithm: .sha1, code: "89005924"),
        Vector(time: 1_234_567_890, algorithm: .sha256, code: "91819424"),
        Vector(time: 1_234_567_890, algorithm: .sha512, code: "93441116"),
        Vector(time: 2_000_000_000, algorithm: .sha1, code: "69279037"),
        Vector(time: 2_000_000_000, algorithm: .sha256, code: "90698825"),
        Vector(time: 2_000_000_000, algorithm: .sha512, code: "38618901"),
        Vector(time: 20_000_000_000, algorithm: .sha1, code: "65353130"),
        Vector(time: 20_000_000_000, algorithm: .sha256, code: "77737706"),
        Vector(time: 20_000_000_000, algorithm: .sha512, code: "47863826"),
    ]

    static func seed(for algorithm: TOTP.Algorithm) -> [UInt8] {
        switch algorithm {
        case .sha1: seed1
        case .sha256: seed256
        case .sha512: seed512
        }
    }

    @Test(arguments: appendixB)
    func everyRFC6238AppendixBVectorIsReproduced(vector: Vector) {
        let date = Date(timeIntervalSince1970: vector.time)
        let secret = Self.seed(for: vector.algorithm)
        #expect(TOTP.code(secret: secret, at: date, digits: 8, algorithm: vector.algorithm) == vector.code)
        #expect(
            TOTP.verify(code: vector.code, secret: secret, at: date, window: 0, lastUsedStep: nil, digits: 8, algorithm: vector.algorithm)
                == Int64(vector.time) / 30)
    }

    @Test func theAppendixBTimeStepsAreTheRFCsHexValues() {
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 59)) == 0x1)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 1_111_111_109)) == 0x23523EC)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 1_111_111_111)) == 0x23523ED)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 1_234_567_890)) == 0x273EF07)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 2_000_000_000)) == 0x3F940AA)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: 20_000_000_000)) == 0x27BC_86AA)
    }

    @Test func everyRFC4226AppendixDHOTPValueIsReproduced() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(TOTP.hotp(secret: Self.seed1, counter: UInt64(counter)) == code)
        }
    }

    @Test func theDefaultsAreSixDigitsThirtySecondsAndSHA1() {
        // Step 1 with six digits is RFC 4226's counter-1 value, 287082.
        #expect(TOTP.code(secret: Self.seed1, at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(TOTP.code(secret: Self.seed1, at: Date(timeIntervalSince1970: 30)) == "287082")
        #expect(TOTP.code(secret: Self.seed1, at: Date(timeIntervalSince1970: 29.999)) == "755224")
    }

    // Step 37037036 (time 1111111080…1111111109) is 081804, 37037037 is 050471, 37037038 is 266759,
    // 37037039 is 306183 (computed with Python's hmac for the 6-digit SHA-1 seed).
    static let now = Date(timeIntervalSince1970: 1_111_111_111)  // step 37037037
    static let previous = "081804"
    static let current = "050471"
    static let next = "266759"
    static let afterNext = "306183"

    @Test func theCurrentStepAndOneStepEitherSideAreAccepted() {
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: Self.now, lastUsedStep: nil) == 37_037_037)
        #expect(TOTP.verify(code: Self.previous, secret: Self.seed1, at: Self.now, lastUsedStep: nil) == 37_037_036)
        #expect(TOTP.verify(code: Self.next, secret: Self.seed1, at: Self.now, lastUsedStep: nil) == 37_037_038)
    }

    @Test func twoStepsAwayIsOutsideTheWindow() {
        #expect(TOTP.verify(code: Self.afterNext, secret: Self.seed1, at: Self.now, lastUsedStep: nil) == nil)
        #expect(TOTP.verify(code: Self.afterNext, secret: Self.seed1, at: Self.now, window: 2, lastUsedStep: nil) == 37_037_039)
    }

    @Test func theWindowFollowsStepBoundariesToTheSecond() {
        // 1111111079 is the last second of step 37037035, whose window reaches 37037036 but not 37037037.
        let lastSecondBefore = Date(timeIntervalSince1970: 1_111_111_079)
        #expect(TOTP.verify(code: Self.previous, secret: Self.seed1, at: lastSecondBefore, lastUsedStep: nil) == 37_037_036)
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: lastSecondBefore, lastUsedStep: nil) == nil)
        // 1111111140 is the first second of step 37037038, whose window reaches back to 37037037 only.
        let firstSecondAfter = Date(timeIntervalSince1970: 1_111_111_140)
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: firstSecondAfter, lastUsedStep: nil) == 37_037_037)
        #expect(TOTP.verify(code: Self.previous, secret: Self.seed1, at: firstSecondAfter, lastUsedStep: nil) == nil)
    }

    @Test func aWindowOfZeroAcceptsOnlyTheCurrentStep() {
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: Self.now, window: 0, lastUsedStep: nil) == 37_037_037)
        #expect(TOTP.verify(code: Self.previous, secret: Self.seed1, at: Self.now, window: 0, lastUsedStep: nil) == nil)
        #expect(TOTP.verify(code: Self.next, secret: Self.seed1, at: Self.now, window: 0, lastUsedStep: nil) == nil)
    }

    @Test func aCodeWhoseStepWasAlreadyUsedIsAReplay() {
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: Self.now, lastUsedStep: 37_037_037) == nil)
    }

    @Test func anOlderCodeAfterANewerOneIsRefused() {
        #expect(TOTP.verify(code: Self.previous, secret: Self.seed1, at: Self.now, lastUsedStep: 37_037_037) == nil)
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: Self.now, lastUsedStep: 37_037_038) == nil)
    }

    @Test func aNewerCodeAfterAnOlderOneIsAccepted() {
        #expect(TOTP.verify(code: Self.current, secret: Self.seed1, at: Self.now, lastUsedStep: 37_037_036) == 37_037_037)
        #expect(TOTP.verify(code: Self.next, secret: Self.seed1, at: Self.now, lastUsedStep: 37_037_037) == 37_037_038)
    }

    @Test(arguments: ["05047", "0504711", "05O471", "", "050471\n", "٠٥٠٤٧١", "+50471"])
    func malformedCodesAreRefused(code: String) {
        #expect(TOTP.verify(code: code, secret: Self.seed1, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func spacesInsideACodeAreIgnored() {
        #expect(TOTP.verify(code: "050 471", secret: Self.seed1, at: Self.now, lastUsedStep: nil) == 37_037_037)
        #expect(TOTP.verify(code: " 050471 ", secret: Self.seed1, at: Self.now, lastUsedStep: nil) == 37_037_037)
    }

    @Test func anotherSecretsCodeIsRefused() {
        let other = Array("abcdefghijabcdefghij".utf8)
        #expect(TOTP.verify(code: TOTP.code(secret: other, at: Self.now), secret: Self.seed1, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func stepsBeforeTheEpochAreNeverAccepted() {
        // At time 10 the window is steps -1…1; step -1 does not exist.
        let early = Date(timeIntervalSince1970: 10)
        #expect(TOTP.timeStep(at: Date(timeIntervalSince1970: -1)) == -1)
        #expect(TOTP.verify(code: "755224", secret: Self.seed1, at: early, lastUsedStep: nil) == 0)
    }

    @Test func secretsAre20BytesFromTheGivenGenerator() {
        var first = OAuthFixtures.CountingGenerator()
        var second = OAuthFixtures.CountingGenerator()
        let secret = TOTP.makeSecret(using: &first)
        #expect(secret.count == 20)
        #expect(secret == TOTP.makeSecret(using: &second))
        #expect(secret != TOTP.makeSecret(using: &first))
    }

    @Test func theProvisioningURIHasEveryParameterAuthenticatorsRead() {
        let uri = TOTP.provisioningURI(secret: Self.seed1, issuer: "CatalystWells Developers", account: "ada@example.com")
        #expect(
            uri == "otpauth://totp/CatalystWells%20Developers:ada@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=CatalystWells%20Developers&algorithm=SHA1&digits=6&period=30")
    }

    @Test func colonsAmpersandsAndNonASCIIInTheLabelArePercentEncoded() {
        let uri = TOTP.provisioningURI(secret: [0], issuer: "A:B&C", account: "zoë+1@x.test")
        #expect(uri == "otpauth://totp/A%3AB%26C:zo%C3%AB%2B1@x.test?secret=AA&issuer=A%3AB%26C&algorithm=SHA1&digits=6&period=30")
    }
}

/// RFC 4648 base32 for showing TOTP secrets.
@Suite struct DeveloperBase32Tests {
    /// RFC 4648 §10.
    @Test(arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func theRFC4648Section10VectorsEncode(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8), padding: true) == encoded)
        #expect(Base32.encode(Array(plain.utf8)) == encoded.replacingOccurrences(of: "=", with: ""))
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func encodedValuesDecodeBackWithOrWithoutPadding(plain: String) {
        let bytes = Array(plain.utf8)
        #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        #expect(Base32.decode(Base32.encode(bytes, padding: true)) == bytes)
    }

    @Test func decodingIgnoresCaseSpacesAndDashes() {
        #expect(Base32.decode("mzxw 6ytb-oi") == Array("foobar".utf8))
    }

    @Test(arguments: ["M", "MZX", "MZXW6Y", "MZ1Q", "MZ=Q", "MZ!Q", "MZ"])
    func impossibleInputIsRefused(text: String) {
        // "MZ" leaves non-zero bits after the one byte it encodes ("MY" is "f").
        #expect(Base32.decode(text) == nil)
    }
}
