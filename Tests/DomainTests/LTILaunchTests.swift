import Domain
import Foundation
import Testing

/// LTI 1.3 launches (issue 19 item 2, slice 2's rules): the checks of the tool's authentication request at
/// `/lti/authorize`, in their order, and the launch id_token's claims, signed with the platform's key.
@Suite struct LTILaunchTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let tool = ClientID("cw_app_tool")
    static let person = UserID(42)
    static let redirect = "https://tool.example/launch"
    static let pending = LTIPendingLaunch(
        clientID: tool, resourceLink: "link-3", user: person, loginHint: "42", expiresAt: now.addingTimeInterval(LTIPendingLaunch.lifetime))

    static func request(_ changes: [String: String?] = [:]) -> LTIAuthenticationRequest {
        var parameters = [
            "client_id": tool.rawValue, "redirect_uri": redirect, "response_type": "id_token", "response_mode": "form_post",
            "scope": "openid", "nonce": "n-1", "state": "s-1", "prompt": "none", "login_hint": "42", "lti_message_hint": "hint",
        ]
        for (name, value) in changes { parameters[name] = value }
        return LTIAuthenticationRequest(parameters: parameters)
    }

    static func check(
        _ request: LTIAuthenticationRequest, redirectURIs: [String]? = [redirect], launch: LTIPendingLaunch? = pending,
        signedIn: UserID? = person, at time: Date = now
    ) -> LTIAuthenticationRules.Outcome {
        LTIAuthenticationRules.check(request, redirectURIs: redirectURIs, launch: launch, signedIn: signedIn, now: time)
    }

    @Test func aGoodRequestLaunchesWithItsNonceAndState() {
        #expect(Self.check(Self.request()) == .launch(Self.pending, redirectURI: Self.redirect, nonce: "n-1", state: "s-1"))
    }

    @Test func anUnknownToolOrAnUnregisteredRedirectIsAnErrorPageNeverAPost() {
        for outcome in [
            Self.check(Self.request(), redirectURIs: nil), Self.check(Self.request(["client_id": nil])),
            Self.check(Self.request(["redirect_uri": "https://tool.example/launch/"])),
            Self.check(Self.request(["redirect_uri": nil])),
        ] {
            guard case .errorPage = outcome else {
                Issue.record("expected an error page, got \(outcome)")
                continue
            }
        }
    }

    @Test(
        arguments: [
            (["response_type": "code"], "unsupported_response_type"), (["response_mode": "query"], "invalid_request"),
            (["prompt": "login"], "invalid_request"), (["prompt": nil], "invalid_request"), (["nonce": nil], "invalid_request"),
            (["nonce": String(repeating: "n", count: 513)], "invalid_request"), (["scope": "profile"], "invalid_scope"),
        ] as [([String: String?], String)])
    func aBadRequestIsPostedBackAsTheSpecsError(changes: [String: String?], error: String) {
        guard case .errorToTool(let uri, let code, _, let state) = Self.check(Self.request(changes)) else {
            Issue.record("expected an error for the tool")
            return
        }
        #expect(uri == Self.redirect && code == error && state == "s-1")
    }

    @Test func aHintThatIsMissingUsedExpiredOrAnotherToolsIsAnErrorPageNothingSent() {
        var used = Self.pending
        used.used = true
        var other = Self.pending
        other.clientID = ClientID("cw_app_other")
        for outcome in [
            Self.check(Self.request(), launch: nil), Self.check(Self.request(), launch: used), Self.check(Self.request(), launch: other),
            Self.check(Self.request(), at: Self.pending.expiresAt),
        ] {
            #expect(outcome == .errorPage(.launchSpent))
        }
    }

    @Test func onlyTheLaunchsOwnPersonMayComplete() {
        for outcome in [
            Self.check(Self.request(), signedIn: nil), Self.check(Self.request(), signedIn: UserID(7)),
            Self.check(Self.request(["login_hint": "7"])),
        ] {
            guard case .errorToTool(_, "login_required", _, _) = outcome else {
                Issue.record("expected login_required, got \(outcome)")
                continue
            }
        }
    }

    @Test func theLaunchTokenCarriesTheLTIClaimsAndVerifiesWithThePlatformKey() throws {
        var claims = LTILaunchClaims(
            issuer: "https://app.example", audience: Self.tool, subject: "42", nonce: "n-1", issuedAt: Self.now, messageType: .resourceLink,
            deploymentID: "dep-1", targetLinkURI: Self.redirect, role: .student, context: (id: "class-9", label: "MATH7", title: "Maths 7"))
        claims.resourceLink = (id: "link-3", title: "Quiz")
        claims.membershipsURL = "https://app.example/api/lti/contexts/class-9/memberships"
        claims.gradeService = (scopes: [LTIScopes.score], lineItemsURL: "https://app.example/api/lti/contexts/class-9/lineitems")
        let key = try SigningKey.generate(.rs256)
        let token = try CompactJWS(try claims.signed(with: key))
        let keys = try JSONWebKeySet(document: Array("{\"keys\":[\(key.publicJWKJSON)]}".utf8))
        let published = try #require(keys.keys[key.kid])
        #expect(JSONWebKeySet.verify(token.signature, over: token.signingInput, key: published, algorithm: "RS256"))
        let payload = token.payload
        #expect(payload[member: "aud"]?.stringValue == Self.tool.rawValue && payload[member: "nonce"]?.stringValue == "n-1")
        #expect(payload[member: LTIClaims.messageType]?.stringValue == "LtiResourceLinkRequest")
        #expect(payload[member: LTIClaims.version]?.stringValue == "1.3.0")
        #expect(payload[member: LTIClaims.deploymentID]?.stringValue == "dep-1")
        #expect(payload[member: LTIClaims.resourceLink]?[member: "id"]?.stringValue == "link-3")
        #expect(payload[member: LTIClaims.context]?[member: "label"]?.stringValue == "MATH7")
        #expect(
            payload[member: LTIClaims.roles]?.arrayValue?.compactMap(\.stringValue)
                == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"])
        #expect(payload[member: LTIClaims.namesRoleService]?[member: "service_versions"]?.arrayValue?.first?.stringValue == "2.0")
        #expect(payload[member: LTIClaims.gradeServiceEndpoint]?[member: "scope"]?.arrayValue?.first?.stringValue == LTIScopes.score)
        #expect(payload[member: LTIClaims.deepLinkingSettings] == nil)
        let exp = try #require(payload[member: "exp"]?.intValue)
        #expect(exp == Int(Self.now.timeIntervalSince1970) + 300)
    }

    @Test func withoutServiceScopesTheTokenNamesNoServiceAndADeepLinkingLaunchCarriesItsSettings() throws {
        var claims = LTILaunchClaims(
            issuer: "https://app.example", audience: Self.tool, subject: "7", nonce: "n", issuedAt: Self.now, messageType: .deepLinking,
            deploymentID: "dep-1", targetLinkURI: Self.redirect, role: .teacher, context: (id: "c", label: "L", title: "T"))
        claims.deepLinkingReturnURL = "https://app.example/lti/deep-linking/return"
        claims.deepLinkingData = "opaque"
        let payload = try CompactJWS(try claims.signed(with: try SigningKey.generate(.es256))).payload
        #expect(payload[member: LTIClaims.namesRoleService] == nil && payload[member: LTIClaims.gradeServiceEndpoint] == nil)
        #expect(payload[member: LTIClaims.resourceLink] == nil)
        #expect(payload[member: LTIClaims.deepLinkingSettings]?[member: "data"]?.stringValue == "opaque")
        #expect(payload[member: LTIClaims.messageType]?.stringValue == "LtiDeepLinkingRequest")
        #expect(payload[member: LTIClaims.roles]?.arrayValue?.first?.stringValue == "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
    }
}

extension LTILaunchTests {
    @Test func theLoginInitiationNamesEveryFieldTheToolNeeds() {
        let initiation = LTILoginInitiation(
            issuer: "https://app.example", loginHint: "42", targetLinkURI: Self.redirect, messageHint: "hint", deploymentID: "dep-1",
            clientID: Self.tool)
        #expect(initiation.fields.map(\.name) == ["iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id"])
        #expect(initiation.fields.last?.value == Self.tool.rawValue)
    }
}
