import Crypto
import Domain
import Foundation
import Testing

/// LTI Deep Linking 2.0 (issue 19): the rules of the tool's `LtiDeepLinkingResponse` in their order, each refusing on
/// its own; the items placed; the tool's Deep Linking URL in its registration; the request's `data` and return URL.
@Suite struct LTIDeepLinkingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let tool = ClientID("cw_app_tool")
    static let issuer = "https://app.example"
    static let teacher = UserID(7)
    static let key = P256.Signing.PrivateKey()
    static let otherKey = P256.Signing.PrivateKey()
    static let data = LTIDeepLinkingRules.data(forHint: "cw_ltidl_hint")

    static func b64(_ bytes: some Sequence<UInt8>) -> String { SecretToken.base64URL(Array(bytes)) }

    static let keySet: ClientKeySet = {
        let raw = Array(key.publicKey.rawRepresentation)
        let jwk: JSONValue = .object([
            ("kty", "EC"), ("crv", "P-256"), ("kid", "k1"), ("x", .string(b64(raw[0..<32]))), ("y", .string(b64(raw[32...]))),
        ])
        return try! ClientKeySet(document: JSONValue.object([("keys", .array([jwk]))]).text)
    }()

    static let request = LTIDeepLinkingRequest(
        clientID: tool, toolName: "Fraction Lab", classID: ClassID(3), schoolID: SchoolID(1), classCode: "M7", classTitle: "Maths 7",
        teacher: teacher, loginHint: "sub-7", deploymentID: "dep_1", deepLinkingURL: "https://tool.example/deep-link",
        loginInitiationURL: "https://tool.example/login", expiresAt: now.addingTimeInterval(600), hintUsed: true)

    static let resourceLink: JSONValue = .object([
        ("type", "ltiResourceLink"), ("title", "Fractions quiz"), ("url", "https://tool.example/launch?quiz=1"),
        ("custom", .object([("quiz", "1"), ("level", "easy")])),
    ])

    /// A response with claim changes (`nil` removes), signed ES256 with `signer` (kid k1).
    static func response(_ changes: [(String, JSONValue?)] = [], signer: P256.Signing.PrivateKey = key, alg: String = "ES256") -> String {
        let seconds = Int(now.timeIntervalSince1970)
        var claims: [(String, JSONValue)] = [
            ("iss", .string(tool.rawValue)), ("aud", .array([.string(issuer)])), ("exp", .int(seconds + 600)), ("iat", .int(seconds)),
            ("nonce", "nonce-1"), (LTIClaims.deploymentID, "dep_1"), (LTIClaims.messageType, "LtiDeepLinkingResponse"),
            (LTIClaims.version, "1.3.0"), (LTIClaims.contentItems, .array([resourceLink])), (LTIClaims.deepLinkingData, .string(data)),
        ]
        for (name, value) in changes {
            claims.removeAll { $0.0 == name }
            if let value { claims.append((name, value)) }
        }
        let header: JSONValue = .object([("alg", .string(alg)), ("kid", "k1"), ("typ", "JWT")])
        let input = b64(header.serialized()) + "." + b64(JSONValue.object(claims).serialized())
        let signature = try! signer.signature(for: Array(input.utf8)).rawRepresentation
        return input + "." + b64(signature)
    }

    static func expectation(
        request: LTIDeepLinkingRequest? = request, returnClass: ClassID? = ClassID(3), signedIn: UserID? = nil, teaches: Bool = true,
        keys: ClientKeySet? = keySet, at time: Date = now
    ) -> LTIDeepLinkingRules.Expectation {
        LTIDeepLinkingRules.Expectation(
            clientID: tool, keys: keys, issuer: issuer, request: request, returnClass: returnClass, signedIn: signedIn,
            teacherStillTeaches: teaches, now: time)
    }

    static func reason(_ jwt: String, _ expected: LTIDeepLinkingRules.Expectation = expectation()) -> LTIDeepLinkingRules.Reason? {
        if case .failure(let refusal) = LTIDeepLinkingRules.check(jwt, expected) { return refusal.reason }
        return nil
    }

    @Test func aGoodResponsePlacesItsResourceLinksWithTitleURLAndCustom() throws {
        let accepted = try LTIDeepLinkingRules.check(Self.response(), Self.expectation()).get()
        #expect(
            accepted.items == [
                LTIDeepLinkingItem(title: "Fractions quiz", url: "https://tool.example/launch?quiz=1", custom: ["quiz": "1", "level": "easy"])
            ])
        #expect(accepted.request == Self.request)
        #expect(accepted.nonceDigest == LTIDeepLinkingRules.nonceDigest(clientID: Self.tool, nonce: "nonce-1"))
        #expect(accepted.rememberUntil == Self.now.addingTimeInterval(600 + LTIDeepLinkingRules.clockSkew))
        // The teacher's own session, when its cookie came along, is accepted too.
        #expect(Self.reason(Self.response(), Self.expectation(signedIn: Self.teacher)) == nil)
    }

    @Test func anItemWithoutTitleOrURLTakesTheToolsNameAndDefaultLaunchAndNoItemsIsAValidAnswer() throws {
        let bare = Self.response([(LTIClaims.contentItems, .array([.object([("type", "ltiResourceLink")])]))])
        #expect(
            try LTIDeepLinkingRules.check(bare, Self.expectation()).get().items == [LTIDeepLinkingItem(title: "Fraction Lab", url: nil, custom: [:])])
        let nulls = Self.response([
            (LTIClaims.contentItems, .array([.object([("type", "ltiResourceLink"), ("title", nil), ("url", nil), ("custom", nil)])]))
        ])
        #expect(
            try LTIDeepLinkingRules.check(nulls, Self.expectation()).get().items == [LTIDeepLinkingItem(title: "Fraction Lab", url: nil, custom: [:])]
        )
        #expect(try LTIDeepLinkingRules.check(Self.response([(LTIClaims.contentItems, nil)]), Self.expectation()).get().items.isEmpty)
        #expect(try LTIDeepLinkingRules.check(Self.response([(LTIClaims.contentItems, .array([]))]), Self.expectation()).get().items.isEmpty)
    }

    @Test(
        arguments: [
            ([("iss", "cw_app_other")], .wrongIssuer), ([("azp", "cw_app_other")], .wrongIssuer),
            ([("aud", "https://elsewhere.example")], .wrongAudience), ([("aud", nil)], .wrongAudience),
            ([("exp", .int(1_800_000_000 - 31))], .expired), ([("exp", nil)], .expired), ([("iat", nil)], .expired),
            ([("exp", .int(1_800_000_000 + 3_700))], .expired), ([("iat", .int(1_800_000_000 + 60))], .expired),
            ([(LTIClaims.messageType, "LtiResourceLinkRequest")], .wrongMessage), ([(LTIClaims.version, "1.1")], .wrongMessage),
            ([("nonce", nil)], .malformed), ([("nonce", .string(String(repeating: "n", count: 256)))], .malformed),
            ([(LTIClaims.deepLinkingData, nil)], .unknownRequest), ([(LTIClaims.deploymentID, "dep_other")], .wrongDeployment),
            ([(LTIClaims.contentItems, .array([.object([("type", "link"), ("url", "https://x.example")])]))], .unsupportedType),
            ([(LTIClaims.contentItems, .array([resourceLink, .object([("type", "html"), ("html", "<p>")])]))], .unsupportedType),
            ([(LTIClaims.contentItems, .array([.object([("type", "ltiResourceLink"), ("url", "http://tool.example/x")])]))], .badItem),
            ([(LTIClaims.contentItems, .array([.object([("type", "ltiResourceLink"), ("custom", .object([("n", 1)]))])]))], .badItem),
            (
                [(LTIClaims.contentItems, .array([.object([("type", "ltiResourceLink"), ("title", .string(String(repeating: "t", count: 256)))])]))],
                .badItem
            ),
            ([(LTIClaims.contentItems, .array(Array(repeating: resourceLink, count: 21)))], .badItem),
            ([(LTIClaims.contentItems, .object([]))], .badItem),
        ] as [([(String, JSONValue?)], LTIDeepLinkingRules.Reason)])
    func eachClaimRuleRefusesOnItsOwn(changes: [(String, JSONValue?)], reason: LTIDeepLinkingRules.Reason) {
        #expect(Self.reason(Self.response(changes)) == reason)
    }

    @Test func aTamperedOrForeignSignatureOrAnAlgorithmNotAcceptedIsRefused() {
        let good = Self.response()
        var parts = good.split(separator: ".").map(String.init)
        // The payload changed after signing (another deployment), the signature kept.
        let tampered = Self.response([(LTIClaims.deploymentID, "dep_other")]).split(separator: ".").map(String.init)
        parts[1] = tampered[1]
        #expect(Self.reason(parts.joined(separator: ".")) == .badSignature)
        #expect(Self.reason(Self.response(signer: Self.otherKey)) == .badSignature)
        #expect(Self.reason(good, Self.expectation(keys: nil)) == .badSignature, "keys unavailable refuse")
        #expect(Self.reason(Self.response(alg: "HS256")) == .malformed)
        #expect(Self.reason("not.a.jwt") == .malformed)
    }

    @Test func theRequestMustBeKnownLaunchedUnansweredUnexpiredAndForThisClassAndTeacher() {
        var other = Self.request
        other.clientID = ClientID("cw_app_other")
        #expect(Self.reason(Self.response(), Self.expectation(request: nil)) == .unknownRequest)
        #expect(Self.reason(Self.response(), Self.expectation(request: other)) == .unknownRequest, "another tool's request")
        var answered = Self.request
        answered.returned = true
        #expect(Self.reason(Self.response(), Self.expectation(request: answered)) == .requestSpent, "a replay")
        var neverLaunched = Self.request
        neverLaunched.hintUsed = false
        #expect(Self.reason(Self.response(), Self.expectation(request: neverLaunched)) == .requestSpent)
        #expect(Self.reason(Self.response(), Self.expectation(at: Self.now.addingTimeInterval(631))) == .expired, "the JWT first")
        var old = Self.request
        old.expiresAt = Self.now
        #expect(Self.reason(Self.response(), Self.expectation(request: old)) == .requestExpired)
        #expect(Self.reason(Self.response(), Self.expectation(returnClass: ClassID(4))) == .wrongClass)
        #expect(Self.reason(Self.response(), Self.expectation(returnClass: nil)) == .wrongClass)
        #expect(Self.reason(Self.response(), Self.expectation(signedIn: UserID(8))) == .wrongTeacher)
        #expect(Self.reason(Self.response(), Self.expectation(teaches: false)) == .wrongTeacher)
    }

    @Test func peekReadsTheUnverifiedIssuerAndData() {
        #expect(LTIDeepLinkingRules.peek(Self.response())?.issuer == Self.tool.rawValue)
        #expect(LTIDeepLinkingRules.peek(Self.response())?.data == Self.data)
        #expect(LTIDeepLinkingRules.peek(Self.response([(LTIClaims.deepLinkingData, nil)])) == nil)
        #expect(LTIDeepLinkingRules.peek("garbage") == nil)
    }

    @Test func theDataDerivesFromTheHintAndTheReturnURLNamesTheClass() {
        let data = LTIDeepLinkingRules.data(forHint: "cw_ltidl_a")
        #expect(data.hasPrefix(LTIDeepLinkingRules.dataPrefix) && data.utf8.count == LTIDeepLinkingRules.dataPrefix.utf8.count + 43)
        #expect(data == LTIDeepLinkingRules.data(forHint: "cw_ltidl_a") && data != LTIDeepLinkingRules.data(forHint: "cw_ltidl_b"))
        #expect(!data.contains("cw_ltidl_a"))
        #expect(LTIDeepLinkingRules.returnURL(base: "https://app.example/", classID: ClassID(3)) == "https://app.example/lti/deep-linking/3/return")
        #expect(
            LTIDeepLinkingRules.nonceDigest(clientID: Self.tool, nonce: "n") != LTIDeepLinkingRules.nonceDigest(clientID: ClientID("x"), nonce: "n"))
        #expect(
            LTIDeepLinkingRules.nonceDigest(clientID: Self.tool, nonce: "n") != ClientAssertionRules.replayDigest(clientID: Self.tool, jti: "n"),
            "a response nonce never collides with a client assertion jti in the shared replay table")
    }

    @Test func aDeepLinkingRequestIsALaunchForItsTeacherWithoutAResourceLink() {
        let launch = Self.request.pendingLaunch
        #expect(launch.deepLinkingClass == ClassID(3) && launch.resourceLink.isEmpty && launch.user == Self.teacher && launch.used)
    }

    @Test func theRequestIdTokenCarriesTheDeepLinkingSettings() throws {
        var claims = LTILaunchClaims(
            issuer: Self.issuer, audience: Self.tool, subject: "sub-7", nonce: "n", issuedAt: Self.now, messageType: .deepLinking,
            deploymentID: "dep_1", targetLinkURI: "https://tool.example/deep-link", role: .teacher, context: (id: "3", label: "M7", title: "Maths 7"))
        claims.deepLinkingReturnURL = "https://app.example/lti/deep-linking/3/return"
        claims.deepLinkingData = Self.data
        let payload = try JSONParser.parse(Array(claims.json.utf8))
        let settings = try #require(payload[member: LTIClaims.deepLinkingSettings])
        #expect(settings[member: "deep_link_return_url"]?.stringValue == "https://app.example/lti/deep-linking/3/return")
        #expect(settings[member: "accept_types"] == .array(["ltiResourceLink"]))
        #expect(settings[member: "accept_presentation_document_targets"] == .array(["iframe", "window"]))
        #expect(settings[member: "accept_multiple"] == .bool(true))
        #expect(settings[member: "data"]?.stringValue == Self.data)
        #expect(payload[member: LTIClaims.resourceLink] == nil)
        #expect(payload[member: LTIClaims.messageType]?.stringValue == "LtiDeepLinkingRequest")
    }

    @Test func aPlacementsCustomParametersGoIntoItsLaunchAndSurviveTheirColumn() throws {
        let link = LTIResourceLink(
            linkID: "rl_1", classID: ClassID(3), clientID: Self.tool, toolName: "Fraction Lab", title: "Quiz", custom: ["b": "2 & 3", "a": "é"])
        #expect(link.customColumn == "a=%C3%A9&b=2%20%26%203" || LTIResourceLink.custom(column: link.customColumn) == link.custom)
        #expect(LTIResourceLink.custom(column: link.customColumn) == ["a": "é", "b": "2 & 3"])
        #expect(LTIResourceLink.custom(column: nil).isEmpty)
        var claims = LTILaunchClaims(
            issuer: Self.issuer, audience: Self.tool, subject: "s", nonce: "n", issuedAt: Self.now, messageType: .resourceLink, deploymentID: "d",
            targetLinkURI: "https://tool.example/launch?quiz=1", role: .student, context: (id: "3", label: "M7", title: "Maths 7"))
        #expect(try JSONParser.parse(Array(claims.json.utf8))[member: LTIClaims.custom] == nil)
        claims.custom = link.custom
        #expect(try JSONParser.parse(Array(claims.json.utf8))[member: LTIClaims.custom] == .object([("a", "é"), ("b", "2 & 3")]))
    }

    @Test func theToolsDeepLinkingURLIsOptionalCheckedLikeTheOtherAddressesAndKeptInItsColumn() throws {
        func validate(_ url: String) -> Result<LTIToolSettings?, SchoolworkForms.FieldErrors> {
            LTIToolSettings.validate(
                isTool: true, loginInitiationURL: "https://t.example/login", targetLinkURI: "https://t.example/launch",
                redirectURIs: "https://t.example/launch", deepLinkingURL: url)
        }
        let plain = try #require(try validate("  ").get())
        #expect(!plain.supportsDeepLinking)
        #expect(
            plain.column
                == "login_initiation_url=https%3A%2F%2Ft.example%2Flogin&target_link_uri=https%3A%2F%2Ft.example%2Flaunch&redirect_uri=https%3A%2F%2Ft.example%2Flaunch"
                || LTIToolSettings(column: plain.column) == plain, "a tool without it keeps the column it had")
        #expect(!plain.column.contains("deep_linking_url"))
        let linking = try #require(try validate(" https://t.example/deep-link ").get())
        #expect(linking.deepLinkingURL == "https://t.example/deep-link" && linking.supportsDeepLinking)
        #expect(LTIToolSettings(column: linking.column) == linking)
        #expect(LTIToolForm(linking).deepLinkingURL == "https://t.example/deep-link")
        guard case .failure(let errors) = validate("http://t.example/deep-link") else {
            Issue.record("plain http on a public host must be refused")
            return
        }
        #expect(errors[LTIToolSettings.Field.deepLinkingURL] != nil)
    }
}
