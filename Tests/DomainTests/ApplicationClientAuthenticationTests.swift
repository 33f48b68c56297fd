import Domain
import Foundation
import Testing

/// The app form's client authentication (issue 20): validation with field errors, the stored column, the review
/// attestation (a change of keys needs a new decision; apps without the setting keep their digests), and sync's client.
@Suite struct ApplicationClientAuthenticationTests {
    static let jwks =
        #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#

    func validate(_ method: String, jwks: String = "", uri: String = "", par: Bool = false, type: OAuthClient.Kind? = .confidential)
        -> Result<ApplicationClientAuthentication, SchoolworkForms.FieldErrors>
    {
        ApplicationClientAuthentication.validate(method: method, jwks: jwks, jwksURI: uri, requirePAR: par, clientType: type)
    }

    @Test func secretsAreTheDefaultAndPARCanBeRequiredWithThem() throws {
        #expect(try validate("").get() == .standard)
        #expect(try validate("client_secret", par: true).get().requiresPushedAuthorizationRequests)
        #expect(try validate("client_secret").get().column == nil)
    }

    @Test func keysNeedExactlyOnePlaceAndAConfidentialApp() throws {
        #expect(try validate("private_key_jwt", jwks: Self.jwks).get().privateKeyJWT == ClientKeyRegistration(source: .document(Self.jwks)))
        #expect(try validate("private_key_jwt", uri: "https://keys.example/jwks").get().privateKeyJWT != nil)
        for (result, field) in [
            (validate("private_key_jwt"), "jwks"), (validate("private_key_jwt", jwks: "{}"), "jwks"),
            (validate("private_key_jwt", uri: "http://keys.example/jwks"), "jwks_uri"),
            (validate("private_key_jwt", jwks: Self.jwks, type: .public), "token_endpoint_auth_method"),
            (validate("client_secret_jwt"), "token_endpoint_auth_method"),
        ] {
            switch result {
            case .success: Issue.record("accepted; expected a problem on \(field)")
            case .failure(let errors): #expect(errors[field] != nil, "\(field): \(errors.messages)")
            }
        }
    }

    @Test func theColumnRoundTrips() throws {
        for setting in [
            ApplicationClientAuthentication.standard, try validate("client_secret", par: true).get(),
            try validate("private_key_jwt", jwks: Self.jwks, par: true).get(),
            try validate("private_key_jwt", uri: "https://k.example/j?a=b&c").get(),
        ] {
            #expect(ApplicationClientAuthentication(column: setting.column) == setting)
        }
        #expect(ApplicationClientAuthentication(column: "method=nonsense") == nil)
        #expect(ApplicationClientAuthentication(column: "method=private_key_jwt") == nil)
    }

    @Test func keysArePartOfTheReviewedContentAndSyncedToTheClient() throws {
        let plain = ApplicationDraft(name: "App", redirectURIs: ["https://a.example/cb"], requestedScopes: ["openid"])
        var withKeys = plain
        withKeys.clientAuthentication = try validate("private_key_jwt", jwks: Self.jwks, par: true).get()
        let id = ClientID("cw_app_x")
        let before = ReviewAttestation.digest(clientID: id, live: plain, grantedScopes: ["openid"])
        var explicitDefault = plain
        explicitDefault.clientAuthentication = try validate("client_secret").get()
        #expect(ReviewAttestation.digest(clientID: id, live: explicitDefault, grantedScopes: ["openid"]) == before)
        #expect(ReviewAttestation.digest(clientID: id, live: withKeys, grantedScopes: ["openid"]) != before)
        let synced = SyncedApplication(
            id: ApplicationID(1), clientID: id, status: .approved, live: withKeys, grantedScopes: ["openid"], developerName: "Dev",
            secretDigests: [], apiKeys: [], marker: Date(timeIntervalSince1970: 0))
        let client = synced.oauthClient(logoBaseURL: nil)
        #expect(client.privateKeyJWT == withKeys.clientAuthentication.privateKeyJWT && client.requiresPushedAuthorizationRequests)
    }

    /// RFC 9449 §5.2 `dpop_bound_access_tokens` for a confidential app: kept in the column (so reviewed and attested),
    /// carried into the client; a public app's box is dropped (its tokens are bound anyway), and an app without the box
    /// keeps its column and digest.
    @Test func aConfidentialAppCanRequireDPoPBoundTokens() throws {
        let required = try ApplicationClientAuthentication.validate(
            method: "client_secret", jwks: "", jwksURI: "", requirePAR: false, requireDPoP: true, clientType: .confidential
        ).get()
        #expect(required.requiresDPoPBoundTokens && required.column == "method=client_secret&require_dpop=1")
        #expect(ApplicationClientAuthentication(column: required.column) == required)
        #expect(ApplicationClientAuthentication(column: "method=client_secret&require_par=1")?.requiresDPoPBoundTokens == false)
        let publicApp = try ApplicationClientAuthentication.validate(
            method: "", jwks: "", jwksURI: "", requirePAR: false, requireDPoP: true, clientType: .public
        ).get()
        #expect(publicApp == .standard)
        var draft = ApplicationDraft(name: "App", redirectURIs: ["https://a.example/cb"], requestedScopes: ["openid"])
        let id = ClientID("cw_app_x")
        let before = ReviewAttestation.digest(clientID: id, live: draft, grantedScopes: ["openid"])
        draft.clientAuthentication = required
        #expect(ReviewAttestation.digest(clientID: id, live: draft, grantedScopes: ["openid"]) != before, "a new decision is needed")
        let synced = SyncedApplication(
            id: ApplicationID(1), clientID: id, status: .approved, live: draft, grantedScopes: ["openid"], developerName: "Dev",
            secretDigests: [], apiKeys: [], marker: Date(timeIntervalSince1970: 0))
        #expect(synced.oauthClient(logoBaseURL: nil).requiresDPoP)
    }

    @Test func theFormCarriesTheFieldsIntoTheDraft() throws {
        var form = ApplicationForm(
            name: "App", description: "", homepageURL: "", privacyPolicyURL: "", termsURL: "", redirectURIs: "https://a.example/cb",
            scopes: ["openid"], clientType: "confidential")
        form.tokenEndpointAuthMethod = "private_key_jwt"
        form.jwksURI = "https://keys.example/jwks"
        form.requirePAR = true
        let draft = try form.validate().get()
        #expect(draft.clientAuthentication.privateKeyJWT == ClientKeyRegistration(source: .uri("https://keys.example/jwks")))
        form.jwksURI = "not a url"
        switch form.validate() {
        case .success: Issue.record("accepted a bad jwks_uri")
        case .failure(let errors): #expect(errors["jwks_uri"] != nil)
        }
    }
}
