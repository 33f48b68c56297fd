import Domain
import Foundation
import Testing

/// Every rule of `GET /authsso`, as a table: which requests pass, which get a page, which get a redirect.
@Suite struct OAuthAuthorizationRequestTests {
    typealias F = OAuthFixtures

    enum Expected: Sendable, Equatable {
        case passes
        case page(String)
        case redirect(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let pairs: [(String, String)]
        let expected: Expected
        var testDescription: String { name }
    }

    static let publicBase: [(String, String)] = [
        ("response_type", "code"), ("client_id", "demo-public"), ("redirect_uri", "http://127.0.0.1:8765/callback"),
        ("scope", "openid profile.read"), ("state", "xyz"), ("code_challenge", F.challenge), ("code_challenge_method", "S256"),
    ]
    static let webBase: [(String, String)] = [
        ("response_type", "code"), ("client_id", "demo-web"), ("redirect_uri", "https://app.example/cb"),
        ("scope", "openid"), ("state", "xyz"), ("code_challenge", F.challenge), ("code_challenge_method", "S256"),
    ]

    /// `base` with `changes` applied: a `nil` value removes the parameter, a new name is appended.
    static func with(_ base: [(String, String)], _ changes: [(String, String?)]) -> [(String, String)] {
        var pairs = base
        for (name, value) in changes {
            if let index = pairs.firstIndex(where: { $0.0 == name }) {
                if let value { pairs[index].1 = value } else { pairs.remove(at: index) }
            } else if let value {
                pairs.append((name, value))
            }
        }
        return pairs
    }
    static func pub(_ changes: (String, String?)...) -> [(String, String)] { with(publicBase, changes) }
    static func web(_ changes: (String, String?)...) -> [(String, String)] { with(webBase, changes) }

    static let cases: [Case] = [
        .init(name: "a complete public-client request with S256 passes", pairs: pub(), expected: .passes),
        .init(
            name: "a confidential client must send PKCE too (OAuth 2.1)", pairs: web(("code_challenge", nil), ("code_challenge_method", nil)),
            expected: .redirect("invalid_request")),
        .init(
            name: "a confidential client with S256 PKCE passes", pairs: web(("code_challenge", F.challenge), ("code_challenge_method", "S256")),
            expected: .passes),
        // Client: shown on a page, never redirected.
        .init(name: "an unknown client gets a page, not a redirect", pairs: pub(("client_id", "nobody")), expected: .page("invalid_client")),
        .init(name: "a missing client_id gets a page", pairs: pub(("client_id", nil)), expected: .page("invalid_client")),
        .init(name: "an empty client_id counts as missing", pairs: pub(("client_id", "")), expected: .page("invalid_client")),
        .init(name: "a repeated client_id gets a page", pairs: pub() + [("client_id", "demo-public")], expected: .page("invalid_request")),
        .init(
            name: "a repeated redirect_uri gets a page", pairs: pub() + [("redirect_uri", "http://127.0.0.1:8765/callback")],
            expected: .page("invalid_request")),
        // Redirect URI: exact match.
        .init(
            name: "a redirect_uri with a trailing slash does not match", pairs: pub(("redirect_uri", "http://127.0.0.1:8765/callback/")),
            expected: .page("invalid_request")),
        .init(
            name: "a redirect_uri differing in case does not match", pairs: pub(("redirect_uri", "http://127.0.0.1:8765/Callback")),
            expected: .page("invalid_request")),
        .init(
            name: "a redirect_uri with an extra query does not match", pairs: pub(("redirect_uri", "http://127.0.0.1:8765/callback?x=1")),
            expected: .page("invalid_request")),
        .init(
            name: "a redirect_uri with a fragment does not match", pairs: pub(("redirect_uri", "http://127.0.0.1:8765/callback#f")),
            expected: .page("invalid_request")),
        .init(
            name: "https instead of the registered http does not match", pairs: pub(("redirect_uri", "https://127.0.0.1:8765/callback")),
            expected: .page("invalid_request")),
        .init(
            name: "http instead of the registered https does not match", pairs: web(("redirect_uri", "http://app.example/cb")),
            expected: .page("invalid_request")),
        .init(name: "an uppercase host does not match", pairs: web(("redirect_uri", "https://APP.example/cb")), expected: .page("invalid_request")),
        .init(
            name: "a port on an https URI may not vary", pairs: web(("redirect_uri", "https://app.example:8443/cb")),
            expected: .page("invalid_request")),
        // Loopback: any port.
        .init(
            name: "a 127.0.0.1 loopback redirect may use another port", pairs: pub(("redirect_uri", "http://127.0.0.1:51000/callback")),
            expected: .passes),
        .init(name: "a 127.0.0.1 loopback redirect may omit the port", pairs: pub(("redirect_uri", "http://127.0.0.1/callback")), expected: .passes),
        .init(name: "an [::1] loopback redirect may use another port", pairs: pub(("redirect_uri", "http://[::1]:4000/callback")), expected: .passes),
        .init(
            name: "a loopback redirect may vary the port but not the path", pairs: pub(("redirect_uri", "http://127.0.0.1:51000/other")),
            expected: .page("invalid_request")),
        .init(
            name: "a loopback redirect may not switch from 127.0.0.1 to [::1]",
            pairs: pub(("client_id", "v4-only"), ("redirect_uri", "http://[::1]:8765/callback")), expected: .page("invalid_request")),
        .init(
            name: "a v4-only client may omit redirect_uri and gets its one URI", pairs: pub(("client_id", "v4-only"), ("redirect_uri", nil)),
            expected: .passes),
        .init(
            name: "userinfo after a loopback host cannot smuggle in another host",
            pairs: pub(("redirect_uri", "http://127.0.0.1:80@evil.example/callback")), expected: .page("invalid_request")),
        .init(
            name: "a host that merely starts with 127.0.0.1 is not loopback", pairs: pub(("redirect_uri", "http://127.0.0.1.evil.example/callback")),
            expected: .page("invalid_request")),
        .init(
            name: "a loopback port out of range does not match", pairs: pub(("redirect_uri", "http://127.0.0.1:70000/callback")),
            expected: .page("invalid_request")),
        .init(
            name: "localhost is not a loopback IP literal, so http to it is refused",
            pairs: [
                ("response_type", "code"), ("client_id", "localhost-app"), ("redirect_uri", "http://localhost:8765/cb"), ("scope", "openid"),
                ("code_challenge", F.challenge), ("code_challenge_method", "S256"),
            ], expected: .page("invalid_request")),
        .init(
            name: "http to a non-loopback host is refused even when registered",
            pairs: [("response_type", "code"), ("client_id", "plain-http"), ("redirect_uri", "http://app.example/cb"), ("scope", "openid")],
            expected: .page("invalid_request")),
        // Omitted redirect_uri.
        .init(name: "a client with exactly one redirect URI may omit redirect_uri", pairs: web(("redirect_uri", nil)), expected: .passes),
        .init(
            name: "a client with several redirect URIs must send redirect_uri",
            pairs: [("response_type", "code"), ("client_id", "multi"), ("scope", "openid")], expected: .page("invalid_request")),
        .init(
            name: "a registered redirect URI with a query matches exactly",
            pairs: [
                ("response_type", "code"), ("client_id", "multi"), ("redirect_uri", "https://app.example/cb2?x=1"), ("scope", "openid"),
                ("code_challenge", F.challenge), ("code_challenge_method", "S256"),
            ],
            expected: .passes),
        // From here on errors are redirected.
        .init(
            name: "a repeated scope is redirected as invalid_request", pairs: pub() + [("scope", "openid")], expected: .redirect("invalid_request")),
        .init(
            name: "a repeated unknown parameter is redirected as invalid_request", pairs: pub() + [("foo", "1"), ("foo", "2")],
            expected: .redirect("invalid_request")),
        .init(name: "unknown parameters are ignored", pairs: pub(("foo", "bar"), ("login_hint", "ada")), expected: .passes),
        .init(name: "a missing response_type is invalid_request", pairs: pub(("response_type", nil)), expected: .redirect("invalid_request")),
        .init(
            name: "response_type=token is unsupported_response_type", pairs: pub(("response_type", "token")),
            expected: .redirect("unsupported_response_type")),
        .init(
            name: "response_type=code id_token is unsupported_response_type", pairs: pub(("response_type", "code id_token")),
            expected: .redirect("unsupported_response_type")),
        .init(name: "response_mode=fragment is refused", pairs: pub(("response_mode", "fragment")), expected: .redirect("invalid_request")),
        .init(name: "response_mode=query is accepted", pairs: pub(("response_mode", "query")), expected: .passes),
        .init(name: "a request object is request_not_supported", pairs: pub(("request", "eyJ...")), expected: .redirect("request_not_supported")),
        .init(
            name: "a request_uri is request_uri_not_supported", pairs: pub(("request_uri", "https://x/r")),
            expected: .redirect("request_uri_not_supported")),
        .init(name: "a missing scope is invalid_scope", pairs: pub(("scope", nil)), expected: .redirect("invalid_scope")),
        .init(name: "an unknown scope is invalid_scope", pairs: pub(("scope", "openid email")), expected: .redirect("invalid_scope")),
        .init(
            name: "a scope the client may not request is invalid_scope", pairs: pub(("scope", "openid teacher.grades.write")),
            expected: .redirect("invalid_scope")),
        // PKCE.
        .init(
            name: "a public client without code_challenge is refused", pairs: pub(("code_challenge", nil), ("code_challenge_method", nil)),
            expected: .redirect("invalid_request")),
        .init(name: "code_challenge_method=plain is refused", pairs: pub(("code_challenge_method", "plain")), expected: .redirect("invalid_request")),
        .init(
            name: "a challenge without a method defaults to plain and is refused", pairs: pub(("code_challenge_method", nil)),
            expected: .redirect("invalid_request")),
        .init(
            name: "a confidential client's plain challenge is refused too",
            pairs: web(("code_challenge", F.challenge), ("code_challenge_method", "plain")), expected: .redirect("invalid_request")),
        .init(
            name: "a method without a challenge is refused", pairs: web(("code_challenge", nil), ("code_challenge_method", "S256")),
            expected: .redirect("invalid_request")),
        .init(name: "an unknown challenge method is refused", pairs: pub(("code_challenge_method", "S512")), expected: .redirect("invalid_request")),
        .init(
            name: "a 42-character challenge is refused", pairs: pub(("code_challenge", String(F.challenge.dropLast()))),
            expected: .redirect("invalid_request")),
        .init(name: "a 44-character challenge is refused", pairs: pub(("code_challenge", F.challenge + "A")), expected: .redirect("invalid_request")),
        .init(
            name: "a 128-character challenge cannot be an S256 hash and is refused",
            pairs: pub(("code_challenge", String(repeating: "a", count: 128))), expected: .redirect("invalid_request")),
        .init(
            name: "a challenge with a character outside base64url is refused", pairs: pub(("code_challenge", "+" + F.challenge.dropFirst())),
            expected: .redirect("invalid_request")),
        // prompt, max_age, nonce, state.
        .init(name: "prompt=login consent is accepted", pairs: pub(("prompt", "login consent")), expected: .passes),
        .init(name: "prompt=none alone is accepted", pairs: pub(("prompt", "none")), expected: .passes),
        .init(name: "prompt=none combined with login is refused", pairs: pub(("prompt", "none login")), expected: .redirect("invalid_request")),
        .init(
            name: "prompt=select_account is unsupported and refused", pairs: pub(("prompt", "select_account")), expected: .redirect("invalid_request")
        ),
        .init(name: "a prompt with a double space is refused", pairs: pub(("prompt", "login  consent")), expected: .redirect("invalid_request")),
        .init(name: "max_age=0 is accepted", pairs: pub(("max_age", "0")), expected: .passes),
        .init(name: "a negative max_age is refused", pairs: pub(("max_age", "-1")), expected: .redirect("invalid_request")),
        .init(name: "a non-numeric max_age is refused", pairs: pub(("max_age", "1h")), expected: .redirect("invalid_request")),
        .init(name: "an 11-digit max_age is refused", pairs: pub(("max_age", "12345678901")), expected: .redirect("invalid_request")),
        .init(name: "a 512-byte nonce is accepted", pairs: pub(("nonce", String(repeating: "n", count: 512))), expected: .passes),
        .init(name: "a 513-byte nonce is refused", pairs: pub(("nonce", String(repeating: "n", count: 513))), expected: .redirect("invalid_request")),
        .init(name: "a 1000-byte state is accepted", pairs: pub(("state", String(repeating: "s", count: 1000))), expected: .passes),
        .init(
            name: "a 1001-byte state is refused", pairs: pub(("state", String(repeating: "s", count: 1001))), expected: .redirect("invalid_request")),
        .init(
            name: "a multi-byte state is measured in bytes", pairs: pub(("state", String(repeating: "é", count: 501))),
            expected: .redirect("invalid_request")),
    ]

    static func run(_ pairs: [(String, String)]) -> Result<AuthorizationRequest, AuthorizationFailure> {
        let parameters = OAuthParameters(pairs: pairs)
        let client = F.lookup(AuthorizationChecks.clientID(in: parameters))
        return AuthorizationChecks.validate(parameters, client: client)
    }

    @Test(arguments: cases)
    func authorizationRequestRule(_ c: Case) {
        switch Self.run(c.pairs) {
        case .success:
            #expect(c.expected == .passes)
        case .failure(.showPage(let error)):
            #expect(c.expected == .page(error.code.rawValue), "\(error.description)")
            #expect(!error.isRedirectable)
        case .failure(.redirect(let error, _, _)):
            #expect(c.expected == .redirect(error.code.rawValue), "\(error.description)")
            #expect(error.isRedirectable)
        }
    }

    @Test func aValidRequestCarriesEverythingTheFlowNeeds() throws {
        let pairs = Self.pub(
            ("redirect_uri", "http://127.0.0.1:51000/callback"), ("nonce", "n-0S6"), ("prompt", "consent"), ("max_age", "300"),
            ("scope", "openid profile.read openid"))
        let request = try Self.run(pairs).get()
        #expect(request.client == F.publicClient)
        #expect(request.redirectURI == "http://127.0.0.1:51000/callback")
        #expect(request.scopes == ["openid", "profile.read"])
        #expect(request.state == "xyz")
        #expect(request.nonce == "n-0S6")
        #expect(request.codeChallenge == F.challenge)
        #expect(request.prompt == [.consent])
        #expect(request.maxAge == 300)
    }

    @Test func anOmittedRedirectURIResolvesToTheOnlyRegisteredOne() throws {
        #expect(try Self.run(Self.web(("redirect_uri", nil))).get().redirectURI == "https://app.example/cb")
    }

    @Test func aRedirectedErrorGoesToTheRequestedURIWithTheState() {
        let result = Self.run(Self.pub(("redirect_uri", "http://127.0.0.1:51000/callback"), ("response_type", "token")))
        guard case .failure(.redirect(let error, let uri, let state)) = result else {
            Issue.record("expected a redirect, got \(result)")
            return
        }
        #expect(error.code == .unsupportedResponseType)
        #expect(uri == "http://127.0.0.1:51000/callback")
        #expect(state == "xyz")
    }

    @Test func anOversizedStateIsNotEchoed() {
        let result = Self.run(Self.pub(("state", String(repeating: "s", count: 1001))))
        guard case .failure(.redirect(_, _, let state)) = result else {
            Issue.record("expected a redirect")
            return
        }
        #expect(state == nil)
    }

    @Test func aSuspendedClientGetsAPage() {
        let suspended = F.client("demo-public", kind: .public, redirectURIs: ["http://127.0.0.1:8765/callback"], status: .suspended)
        let result = AuthorizationChecks.validate(OAuthParameters(pairs: Self.publicBase), client: suspended)
        #expect(result.failureCode == "invalid_client")
        guard case .failure(.showPage) = result else {
            Issue.record("expected a page")
            return
        }
    }

    @Test func aClientRecordForAnotherIDIsNotTrusted() {
        let result = AuthorizationChecks.validate(OAuthParameters(pairs: Self.publicBase), client: F.webClient)
        guard case .failure(.showPage(let error)) = result else {
            Issue.record("expected a page")
            return
        }
        #expect(error.code == .invalidClient)
    }

    @Test func junkClientIDsAreNotLookedUp() {
        #expect(AuthorizationChecks.clientID(in: OAuthParameters(pairs: [("client_id", String(repeating: "c", count: 256))])) == nil)
        #expect(AuthorizationChecks.clientID(in: OAuthParameters(pairs: [("client_id", "a\u{0}b")])) == nil)
        #expect(AuthorizationChecks.clientID(in: OAuthParameters(pairs: [("client_id", "a"), ("client_id", "a")])) == nil)
        #expect(AuthorizationChecks.clientID(in: OAuthParameters(pairs: [("client_id", "demo-public")])) == ClientID("demo-public"))
    }

    @Test func errorDescriptionsStayInsideTheCharactersRFC6749Allows() {
        for c in Self.cases {
            guard case .failure(let failure) = Self.run(c.pairs) else { continue }
            let allowed = failure.error.description.unicodeScalars.allSatisfy { scalar in
                (0x20...0x21).contains(scalar.value) || (0x23...0x5B).contains(scalar.value) || (0x5D...0x7E).contains(scalar.value)
            }
            #expect(allowed, "\(c.name): \(failure.error.description)")
        }
    }
}

extension Result where Failure == AuthorizationFailure {
    var failureCode: String? {
        if case .failure(let failure) = self { return failure.error.code.rawValue }
        return nil
    }
}

/// Registration-time redirect URI rules.
@Suite struct OAuthRedirectURIRegistrationTests {
    @Test(arguments: [
        ("https://app.example/cb", true),
        ("https://app.example/cb?x=1", true),
        ("http://127.0.0.1:8765/callback", true),
        ("http://[::1]/callback", true),
        ("com.example.app:/oauth", true),
        ("http://app.example/cb", false),
        ("http://localhost:8765/cb", false),
        ("https://app.example/cb#frag", false),
        ("https://user@app.example/cb", false),
        ("https:///cb", false),
        ("javascript:alert(1)", false),
        ("myapp:/cb", false),
        ("http://127.0.0.1@evil.example/cb", false),
        ("http://127.0.0.1.evil.example/cb", false),
        ("http://127.0.0.1:0/cb", false),
        ("https://app.example/c b", false),
    ])
    func onlyHTTPSLoopbackOrReverseDomainSchemesMayBeRegistered(uri: String, allowed: Bool) {
        #expect(RedirectURIRule.isRegistrable(uri) == allowed)
    }
}

/// The redirect back to the client (RFC 6749 §4.1.2, RFC 9207).
@Suite struct OAuthAuthorizationResponseTests {
    let issuer = OAuthFixtures.issuer

    @Test(arguments: [
        ("http://127.0.0.1:8765/callback", "http://127.0.0.1:8765/callback?code=cw_ac_X&state=xyz&iss=https%3A%2F%2Fapp.catalystwells.test"),
        ("https://app.example/cb2?x=1", "https://app.example/cb2?x=1&code=cw_ac_X&state=xyz&iss=https%3A%2F%2Fapp.catalystwells.test"),
        ("https://app.example/cb?", "https://app.example/cb?code=cw_ac_X&state=xyz&iss=https%3A%2F%2Fapp.catalystwells.test"),
        ("https://app.example/cb?a=1&", "https://app.example/cb?a=1&code=cw_ac_X&state=xyz&iss=https%3A%2F%2Fapp.catalystwells.test"),
    ])
    func successParametersAreAppendedToTheRedirectURIsOwnQuery(uri: String, expected: String) {
        #expect(AuthorizationResponse.successURL(redirectURI: uri, code: "cw_ac_X", state: "xyz", issuer: issuer) == expected)
    }

    @Test func stateIsReturnedUntouchedThoughPercentEncoded() {
        let url = AuthorizationResponse.successURL(redirectURI: "https://app.example/cb", code: "c", state: "a b&c=d/é+~", issuer: issuer)
        #expect(url == "https://app.example/cb?code=c&state=a%20b%26c%3Dd%2F%C3%A9%2B~&iss=https%3A%2F%2Fapp.catalystwells.test")
        let components = URLComponents(string: url)
        #expect(components?.queryItems?.first { $0.name == "state" }?.value == "a b&c=d/é+~")
    }

    @Test func noStateMeansNoStateParameter() {
        #expect(
            AuthorizationResponse.successURL(redirectURI: "https://app.example/cb", code: "c", state: nil, issuer: issuer)
                == "https://app.example/cb?code=c&iss=https%3A%2F%2Fapp.catalystwells.test")
    }

    @Test func errorsCarryErrorDescriptionStateAndIssuer() {
        let error = OAuthError(.accessDenied, "The user denied the request.")
        #expect(
            AuthorizationResponse.errorURL(redirectURI: "https://app.example/cb2?x=1", error: error, state: "s", issuer: issuer)
                == "https://app.example/cb2?x=1&error=access_denied&error_description=The%20user%20denied%20the%20request.&state=s&iss=https%3A%2F%2Fapp.catalystwells.test"
        )
    }

    @Test func aPageFailureHasNoRedirectURL() {
        #expect(AuthorizationResponse.url(for: .showPage(.invalidClient("x").notRedirectable()), issuer: issuer) == nil)
        #expect(
            AuthorizationResponse.url(for: .redirect(.invalidScope("Bad."), redirectURI: "https://a.example/cb", state: nil), issuer: issuer)
                == "https://a.example/cb?error=invalid_scope&error_description=Bad.&iss=https%3A%2F%2Fapp.catalystwells.test")
    }
}

/// `prompt` and `max_age` against the session; consent against what was granted before.
@Suite struct OAuthAuthorizationDecisionTests {
    typealias F = OAuthFixtures

    static func request(prompt: Set<AuthorizationRequest.Prompt> = [], maxAge: Int? = nil) -> AuthorizationRequest {
        AuthorizationRequest(
            client: F.publicClient, redirectURI: "http://127.0.0.1:8765/callback", scopes: ["openid", "profile.read"],
            state: nil, nonce: nil, codeChallenge: F.challenge, prompt: prompt, maxAge: maxAge)
    }

    struct SignInCase: Sendable, CustomTestStringConvertible {
        let name: String
        let prompt: Set<AuthorizationRequest.Prompt>
        let maxAge: Int?
        let authAgo: Double?
        let fresh: Bool
        let expected: String
        var testDescription: String { name }
    }

    static let signInCases: [SignInCase] = [
        .init(name: "a signed-out user is sent to sign in", prompt: [], maxAge: nil, authAgo: nil, fresh: false, expected: "signIn"),
        .init(
            name: "a signed-out user with prompt=none gets login_required", prompt: [.none], maxAge: nil, authAgo: nil, fresh: false,
            expected: "login_required"),
        .init(name: "a signed-in user proceeds", prompt: [], maxAge: nil, authAgo: 5000, fresh: false, expected: "proceed"),
        .init(
            name: "prompt=login makes a signed-in user sign in again", prompt: [.login], maxAge: nil, authAgo: 10, fresh: false, expected: "signIn"),
        .init(
            name: "prompt=login is satisfied by the sign-in it caused", prompt: [.login], maxAge: nil, authAgo: 0, fresh: true, expected: "proceed"),
        .init(name: "a session older than max_age signs in again", prompt: [], maxAge: 300, authAgo: 301, fresh: false, expected: "signIn"),
        .init(name: "a session exactly max_age old proceeds", prompt: [], maxAge: 300, authAgo: 300, fresh: false, expected: "proceed"),
        .init(name: "max_age=0 always signs in again", prompt: [], maxAge: 0, authAgo: 1, fresh: false, expected: "signIn"),
        .init(
            name: "prompt=none with a session older than max_age gets login_required", prompt: [.none], maxAge: 60, authAgo: 61, fresh: false,
            expected: "login_required"),
    ]

    @Test(arguments: signInCases)
    func signInDecision(_ c: SignInCase) {
        let decision = Self.request(prompt: c.prompt, maxAge: c.maxAge)
            .signInDecision(authTime: c.authAgo.map { F.t0 - $0 }, now: F.t0, signedInDuringThisRequest: c.fresh)
        switch decision {
        case .proceed: #expect(c.expected == "proceed")
        case .signIn: #expect(c.expected == "signIn")
        case .fail(let error): #expect(c.expected == error.code.rawValue)
        }
    }

    struct ConsentCase: Sendable, CustomTestStringConvertible {
        let name: String
        let prompt: Set<AuthorizationRequest.Prompt>
        let existing: Set<String>?
        let expected: String
        var testDescription: String { name }
    }

    static let consentCases: [ConsentCase] = [
        .init(name: "no earlier consent asks", prompt: [], existing: nil, expected: "ask"),
        .init(
            name: "earlier consent covering every scope skips the page", prompt: [], existing: ["openid", "profile.read", "school.read"],
            expected: "skip"),
        .init(name: "a new scope asks again", prompt: [], existing: ["openid"], expected: "ask"),
        .init(name: "prompt=consent asks even when covered", prompt: [.consent], existing: ["openid", "profile.read"], expected: "ask"),
        .init(name: "prompt=none without consent gets consent_required", prompt: [.none], existing: ["openid"], expected: "consent_required"),
        .init(name: "prompt=none with consent skips", prompt: [.none], existing: ["openid", "profile.read"], expected: "skip"),
    ]

    @Test(arguments: consentCases)
    func consentDecision(_ c: ConsentCase) {
        let consent = c.existing.map { Consent(clientID: F.publicClient.clientID, scopes: $0, firstGrantedAt: F.t0, lastUsedAt: nil) }
        switch Self.request(prompt: c.prompt).consentDecision(toGrant: ["openid", "profile.read"], existing: consent) {
        case .skip: #expect(c.expected == "skip")
        case .ask: #expect(c.expected == "ask")
        case .fail(let error): #expect(c.expected == error.code.rawValue)
        }
    }
}
