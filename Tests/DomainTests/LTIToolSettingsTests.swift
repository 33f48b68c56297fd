import Domain
import Foundation
import Testing

/// The app form's LTI 1.3 tool registration (issue 19 item 2): validated with field errors, what review needs before
/// submission, stored as a column, part of the review attestation only for a tool, and the LTI service scopes.
@Suite struct LTIToolSettingsTests {
    typealias Field = LTIToolSettings.Field

    func validate(tool: Bool = true, login: String = "", target: String = "", uris: String = "")
        -> Result<LTIToolSettings?, SchoolworkForms.FieldErrors>
    {
        LTIToolSettings.validate(isTool: tool, loginInitiationURL: login, targetLinkURI: target, redirectURIs: uris)
    }

    static let tool = LTIToolSettings(
        loginInitiationURL: "https://tool.example/login", targetLinkURI: "https://tool.example/launch",
        redirectURIs: ["https://tool.example/launch", "http://127.0.0.1:5000/launch"])

    @Test func anUntickedBoxIsNoToolWhateverTheFieldsHold() throws {
        #expect(try validate(tool: false, login: "ftp://nonsense").get() == nil)
    }

    @Test func goodValuesAreTrimmedAndKeptInOrder() throws {
        let settings = try validate(
            login: " https://tool.example/login ", target: "https://tool.example/launch",
            uris: "https://tool.example/launch\r\n\n http://127.0.0.1:5000/launch "
        ).get()
        #expect(settings == Self.tool)
    }

    @Test func eachProblemIsOnItsField() {
        let eleven = (0...10).map { "https://tool.example/\($0)" }.joined(separator: "\n")
        for (result, field) in [
            (validate(login: "http://tool.example/login"), Field.loginInitiationURL),
            (validate(login: "https://tool.example/login#x"), Field.loginInitiationURL),
            (validate(target: "javascript:alert(1)"), Field.targetLinkURI),
            (validate(target: "https://*.example/launch"), Field.targetLinkURI),
            (validate(uris: "https://tool.example/a\nhttps://tool.example/a"), Field.redirectURIs),
            (validate(uris: "http://localhost/launch"), Field.redirectURIs),
            (validate(uris: eleven), Field.redirectURIs),
        ] {
            switch result {
            case .success: Issue.record("accepted; expected a problem on \(field)")
            case .failure(let errors): #expect(errors[field] != nil && errors.messages.count == 1, "\(field): \(errors.messages)")
            }
        }
    }

    @Test func aToolNeedsItsAddressesAndPrivateKeyJWTBeforeReview() throws {
        let keys = ApplicationClientAuthentication(
            privateKeyJWT: ClientKeyRegistration(source: .uri("https://tool.example/jwks")))
        #expect(Self.tool.submissionProblems(clientAuthentication: keys, clientType: .confidential).isEmpty)
        let empty = LTIToolSettings().submissionProblems(clientAuthentication: keys, clientType: .confidential)
        #expect(Set(empty.messages.keys) == [Field.loginInitiationURL, Field.targetLinkURI, Field.redirectURIs])
        #expect(Self.tool.submissionProblems(clientAuthentication: .standard, clientType: .confidential)["token_endpoint_auth_method"] != nil)
        #expect(Self.tool.submissionProblems(clientAuthentication: .standard, clientType: .public)["client_type"] != nil)
        var draft = ApplicationDraft(
            name: "Quiz", description: "Quizzes.", homepageURL: "https://tool.example", privacyPolicyURL: "https://tool.example/privacy",
            requestedScopes: [LTIScopes.score],
            dataDeclarations: [DataDeclaration(scope: LTIScopes.score, purpose: "Scores.", retention: .oneYear, subProcessors: [])],
            clientAuthentication: keys)
        #expect(draft.isCompleteForSubmission)
        draft.lti = LTIToolSettings(loginInitiationURL: "https://tool.example/login")
        #expect(draft.submissionProblems()[Field.targetLinkURI] != nil)
        draft.lti = Self.tool
        #expect(draft.isCompleteForSubmission)
    }

    @Test func theColumnRoundTrips() {
        for settings in [Self.tool, LTIToolSettings(), LTIToolSettings(loginInitiationURL: "https://t.example/l?a=b&c=d")] {
            #expect(LTIToolSettings(column: settings.column) == settings)
        }
        #expect(LTIToolSettings(column: "redirect_uri=https%3A%2F%2Ft.example") == nil)
        #expect(LTIToolSettings(column: "%zz") == nil)
    }

    @Test func theRegistrationIsReviewedContentOnlyForATool() {
        let plain = ApplicationDraft(name: "App", redirectURIs: ["https://a.example/cb"], requestedScopes: ["openid"])
        let id = ClientID("cw_app_x")
        let before = ReviewAttestation.digest(clientID: id, live: plain, grantedScopes: ["openid"])
        var tool = plain
        tool.lti = Self.tool
        var moved = tool
        moved.lti?.loginInitiationURL = "https://evil.example/login"
        let digests = [before] + [tool, moved].map { ReviewAttestation.digest(clientID: id, live: $0, grantedScopes: ["openid"]) }
        #expect(Set(digests).count == 3)
    }

    @Test func theFormCarriesTheBlockIntoTheDraft() throws {
        var form = ApplicationForm(
            name: "Quiz", description: "", homepageURL: "", privacyPolicyURL: "", termsURL: "", redirectURIs: "", scopes: [LTIScopes.score],
            clientType: "confidential")
        form.lti = LTIToolForm(Self.tool)
        #expect(try form.validate().get().lti == Self.tool)
        form.lti.targetLinkURI = "http://tool.example/launch"
        switch form.validate() {
        case .success: Issue.record("accepted an http target link URI")
        case .failure(let errors): #expect(errors[Field.targetLinkURI] != nil)
        }
    }

    @Test func theServiceScopesAreAppLevelAndGrantedByNoUser() throws {
        for name in LTIScopes.all {
            let scope = ScopeRegistry.standard.definition(named: name)
            #expect(scope?.isAppLevel == true && scope?.grantableBy.isEmpty == true, "\(name)")
        }
        #expect(try ScopeRegistry.standard.parse(scopeParameter: LTIScopes.all.joined(separator: " ")).get() == LTIScopes.all)
    }
}
