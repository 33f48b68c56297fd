import Domain
import Foundation
import Testing

/// The app form's OpenID Connect settings (issue 20): logout registration and ID token algorithm, validated with field
/// errors, stored as a column, part of the review attestation (apps without them keep their digests), and carried to
/// sync's client.
@Suite struct ApplicationOpenIDSettingsTests {
    func validate(_ uris: String = "", backchannel: String = "", sid: Bool = false, alg: String = "")
        -> Result<ApplicationOpenIDSettings, SchoolworkForms.FieldErrors>
    {
        ApplicationOpenIDSettings.validate(
            postLogoutRedirectURIs: uris, backchannelLogoutURI: backchannel, backchannelLogoutSessionRequired: sid,
            idTokenSignedResponseAlg: alg)
    }

    @Test func emptyFieldsAreTheDefault() throws {
        #expect(try validate().get() == .standard)
        #expect(try validate(alg: "RS256").get().column == nil)
    }

    @Test func goodValuesAreKeptInOrder() throws {
        let settings = try validate(
            "https://app.example/bye\r\n\n http://127.0.0.1:8000/out ", backchannel: " https://app.example/bc?x=1 ", sid: true, alg: "ES256"
        ).get()
        #expect(settings.logout.postLogoutRedirectURIs == ["https://app.example/bye", "http://127.0.0.1:8000/out"])
        #expect(settings.logout.backchannelLogoutURI == "https://app.example/bc?x=1")
        #expect(settings.logout.backchannelLogoutSessionRequired && settings.idTokenSigningAlgorithm == .es256)
    }

    @Test func eachProblemIsOnItsField() {
        let eleven = (0...10).map { "https://app.example/\($0)" }.joined(separator: "\n")
        for (result, field) in [
            (validate("http://app.example/bye"), "post_logout_redirect_uris"),
            (validate("https://app.example/bye#top"), "post_logout_redirect_uris"),
            (validate("https://app.example/a\nhttps://app.example/a"), "post_logout_redirect_uris"),
            (validate(eleven), "post_logout_redirect_uris"),
            (validate(backchannel: "http://127.0.0.1/bc"), "backchannel_logout_uri"),
            (validate(backchannel: "javascript:alert(1)"), "backchannel_logout_uri"),
            (validate(sid: true), "backchannel_logout_uri"),
            (validate(alg: "HS256"), "id_token_signed_response_alg"), (validate(alg: "none"), "id_token_signed_response_alg"),
        ] {
            switch result {
            case .success: Issue.record("accepted; expected a problem on \(field)")
            case .failure(let errors): #expect(errors[field] != nil && errors.messages.count == 1, "\(field): \(errors.messages)")
            }
        }
    }

    @Test func theColumnRoundTrips() throws {
        for settings in [
            ApplicationOpenIDSettings.standard, try validate(alg: "ES256").get(),
            try validate("https://a.example/x?a=b&c=d\nhttps://a.example/y", backchannel: "https://a.example/bc", sid: true).get(),
        ] {
            #expect(ApplicationOpenIDSettings(column: settings.column) == settings)
        }
        #expect(ApplicationOpenIDSettings(column: "id_token_signed_response_alg=HS256") == nil)
        #expect(ApplicationOpenIDSettings(column: "post_logout_redirect_uri=https%3A%2F%2Fa.example") == nil)
    }

    @Test func theSettingsAreReviewedContentAndReachTheClient() throws {
        let plain = ApplicationDraft(name: "App", redirectURIs: ["https://a.example/cb"], requestedScopes: ["openid"])
        let id = ClientID("cw_app_x")
        let before = ReviewAttestation.digest(clientID: id, live: plain, grantedScopes: ["openid"])
        var explicitDefault = plain
        explicitDefault.openID = try validate(alg: "RS256").get()
        #expect(ReviewAttestation.digest(clientID: id, live: explicitDefault, grantedScopes: ["openid"]) == before)
        var es256 = plain
        es256.openID = try validate(alg: "ES256").get()
        var logout = plain
        logout.openID = try validate(backchannel: "https://a.example/bc").get()
        let digests = [before] + [es256, logout].map { ReviewAttestation.digest(clientID: id, live: $0, grantedScopes: ["openid"]) }
        #expect(Set(digests).count == 3)
        let synced = SyncedApplication(
            id: ApplicationID(1), clientID: id, status: .approved, live: es256, grantedScopes: ["openid"], developerName: "Dev",
            secretDigests: [], apiKeys: [], marker: Date(timeIntervalSince1970: 0))
        #expect(synced.oauthClient(logoBaseURL: nil).idTokenSigningAlgorithm == .es256)
    }

    @Test func theFormCarriesTheFieldsIntoTheDraft() throws {
        var form = ApplicationForm(
            name: "App", description: "", homepageURL: "", privacyPolicyURL: "", termsURL: "", redirectURIs: "https://a.example/cb",
            scopes: ["openid"], clientType: "confidential")
        form.postLogoutRedirectURIs = "https://a.example/bye"
        form.backchannelLogoutURI = "https://a.example/bc"
        form.backchannelLogoutSessionRequired = true
        form.idTokenSignedResponseAlg = "ES256"
        let draft = try form.validate().get()
        #expect(
            draft.openID
                == ApplicationOpenIDSettings(
                    logout: ClientLogoutRegistration(
                        postLogoutRedirectURIs: ["https://a.example/bye"], backchannelLogoutURI: "https://a.example/bc",
                        backchannelLogoutSessionRequired: true), idTokenSigningAlgorithm: .es256))
        form.backchannelLogoutURI = "ftp://a.example/bc"
        switch form.validate() {
        case .success: Issue.record("accepted a bad back-channel URI")
        case .failure(let errors): #expect(errors["backchannel_logout_uri"] != nil)
        }
    }
}
