import Domain
import Testing

@testable import StoreTwins

/// The application form: every field's rule, errors next to their fields, and what submission requires.
@Suite struct DeveloperApplicationFormTests {
    static func form(
        name: String = "Homework Helper", description: String = "Shows pupils their homework.",
        homepage: String = "https://hh.example", privacy: String = "https://hh.example/privacy", terms: String = "",
        redirects: String = "https://hh.example/cb", scopes: [String] = ["openid", "student.classes.read"],
        clientType: String = "confidential", logo: String? = nil
    ) -> ApplicationForm {
        ApplicationForm(
            name: name, description: description, homepageURL: homepage, privacyPolicyURL: privacy, termsURL: terms,
            redirectURIs: redirects, scopes: scopes, clientType: clientType, logoSHA256: logo,
            declarations: scopes.map { DataDeclarationForm(DataDeclaration.plain($0)) })
    }

    static func errors(_ form: ApplicationForm) -> SchoolworkForms.FieldErrors {
        if case .failure(let errors) = form.validate() { return errors }
        return [:]
    }

    @Test func aGoodFormBecomesATrimmedDraft() throws {
        let draft = try Self.form(name: "  Homework Helper ", redirects: "\n https://hh.example/cb \r\n\nhttp://127.0.0.1:8080/cb\n")
            .validate().get()
        #expect(draft.name == "Homework Helper")
        #expect(draft.homepageURL == "https://hh.example")
        #expect(draft.termsURL == nil)
        #expect(draft.redirectURIs == ["https://hh.example/cb", "http://127.0.0.1:8080/cb"])
        #expect(draft.requestedScopes == ["openid", "student.classes.read"])
        #expect(draft.clientType == .confidential)
        #expect(draft.isCompleteForSubmission)
    }

    @Test(arguments: [
        ("", "Give the app a name."), ("   ", "Give the app a name."),
        (String(repeating: "a", count: 81), "Use at most 80 characters."),
        ("Tab\there", "Use a name on one line, without control characters."),
    ])
    func badNamesAreRefused(name: String, message: String) {
        #expect(Self.errors(Self.form(name: name))["name"]?.english == message)
    }

    @Test func aNameOf80CharactersIncludingAccentsIsAccepted() {
        #expect(Self.errors(Self.form(name: String(repeating: "é", count: 80)))["name"]?.english == nil)
    }

    @Test func descriptionsMayBeEmptyOrUpTo2000Characters() {
        #expect(Self.errors(Self.form(description: ""))["description"]?.english == nil)
        #expect(Self.errors(Self.form(description: "Line one\nline two"))["description"]?.english == nil)
        #expect(Self.errors(Self.form(description: String(repeating: "x", count: 2000)))["description"]?.english == nil)
        #expect(Self.errors(Self.form(description: String(repeating: "x", count: 2001)))["description"]?.english == "Use at most 2000 characters.")
    }

    @Test(arguments: [
        ("http://hh.example", "Enter a full address starting with https://."),
        ("hh.example", "Enter a full address starting with https://."),
        ("javascript:alert(1)", "Enter a full address starting with https://."),
        ("https://hh.example/#top", "Remove the #fragment from the address."),
        ("https://user:pw@hh.example/", "Remove the user name or password from the address."),
        ("https://hh.example@evil.example/", "Remove the user name or password from the address."),
        ("https://*.hh.example/", "Wildcards are not allowed: enter an exact address."),
        ("https:///path", "Enter a valid host name after https://."),
        ("https://hh..example/", "Enter a valid host name after https://."),
        ("https://-hh.example/", "Enter a valid host name after https://."),
        ("https://hh.example:0/", "Enter a valid host name after https://."),
        ("https://hh.example:99999/", "Enter a valid host name after https://."),
        ("https://hh.example/a b", "Use only the characters a web address allows: percent-encode spaces and other characters."),
        ("https://hh.example\\@evil.example/", "Use only the characters a web address allows: percent-encode spaces and other characters."),
        ("https://exämple.com/", "Use only the characters a web address allows: percent-encode spaces and other characters."),
        ("https://hh.example/" + String(repeating: "a", count: 1982), "Use at most 2000 characters."),
    ])
    func webAddressesMustBePlainHTTPS(url: String, message: String) {
        #expect(HTTPSURLRule.problem(with: url)?.english == message)
        let errors = Self.errors(Self.form(homepage: url, privacy: url, terms: url))
        #expect(errors["homepage_url"]?.english == message)
        #expect(errors["privacy_policy_url"]?.english == message)
        #expect(errors["terms_url"]?.english == message)
    }

    @Test(arguments: [
        "https://hh.example", "https://hh.example/privacy?lang=en&x=%20", "https://hh.example:8443/p",
        "https://[2001:db8::1]/p", "https://192.0.2.1/", "https://xn--exmple-cua.com/",
        "https://hh.example/" + String(repeating: "a", count: 1981),
    ])
    func plainHTTPSAddressesAreAccepted(url: String) {
        #expect(HTTPSURLRule.problem(with: url) == nil)
    }

    @Test(arguments: [
        ("http://hh.example/cb", "Use https, or plain http only on 127.0.0.1 or [::1] (not localhost) for an app on the user's device."),
        ("http://localhost:8080/cb", "Use https, or plain http only on 127.0.0.1 or [::1] (not localhost) for an app on the user's device."),
        ("http://127.0.0.1.evil.example/cb", "Use https, or plain http only on 127.0.0.1 or [::1] (not localhost) for an app on the user's device."),
        ("http://127.0.0.1:8080/cb#x", "Remove the #fragment from the address."),
        ("https://hh.example/cb#", "Remove the #fragment from the address."),
        ("https://*.hh.example/cb", "Wildcards are not allowed: enter an exact address."),
        ("https://hh.example/cb/*", "Wildcards are not allowed: enter an exact address."),
        ("com.example.app:/cb", "Enter a full address starting with https://."),
        ("https://u@hh.example/cb", "Remove the user name or password from the address."),
    ])
    func badRedirectURIsAreRefusedNamingTheURI(uri: String, message: String) {
        #expect(ApplicationForm.redirectURIProblem(uri)?.english == message)
        #expect(Self.errors(Self.form(redirects: "https://ok.example/cb\n" + uri))["redirect_uris"]?.english == "\(uri): \(message)")
    }

    @Test(arguments: [
        "https://hh.example/cb", "https://hh.example/cb?x=1", "http://127.0.0.1/cb", "http://127.0.0.1:8765/cb", "http://[::1]:8765/cb",
    ])
    func httpsAndLoopbackRedirectURIsAreAccepted(uri: String) {
        #expect(ApplicationForm.redirectURIProblem(uri) == nil)
        #expect(RedirectURIRule.isRegistrable(uri))
    }

    @Test func atMostTenDistinctRedirectURIs() {
        let ten = (1...10).map { "https://hh.example/cb\($0)" }
        #expect(Self.errors(Self.form(redirects: ten.joined(separator: "\n")))["redirect_uris"]?.english == nil)
        #expect(
            Self.errors(Self.form(redirects: (ten + ["https://hh.example/cb11"]).joined(separator: "\n")))["redirect_uris"]?.english
                == "Register at most 10 redirect URIs.")
        #expect(
            Self.errors(Self.form(redirects: "https://hh.example/cb\nhttps://hh.example/cb"))["redirect_uris"]?.english
                == "https://hh.example/cb is listed twice.")
    }

    @Test func scopesMustBeKnownAndChosenOnce() {
        #expect(Self.errors(Self.form(scopes: ["openid", "admin.everything"]))["scopes"]?.english == "Unknown scope: admin.everything.")
        #expect(Self.errors(Self.form(scopes: ["openid", "openid"]))["scopes"]?.english == "Choose each scope once.")
        #expect(Self.errors(Self.form(scopes: []))["scopes"]?.english == nil)
    }

    @Test(arguments: [("confidential", true), ("public", true), ("Public", false), ("", false), ("hybrid", false)])
    func theClientTypeIsConfidentialOrPublic(value: String, valid: Bool) {
        #expect((Self.errors(Self.form(clientType: value))["client_type"]?.english == nil) == valid)
    }

    @Test func aLogoReferenceMustBeASHA256InHex() {
        #expect(Self.errors(Self.form(logo: String(repeating: "ab", count: 32)))["logo"]?.english == nil)
        #expect(Self.errors(Self.form(logo: String(repeating: "AB", count: 32)))["logo"] != nil)
        #expect(Self.errors(Self.form(logo: "../../etc/passwd"))["logo"] != nil)
    }

    @Test func everyBadFieldIsReportedAtOnce() {
        let errors = Self.errors(
            Self.form(name: "", homepage: "http://x", redirects: "http://x", scopes: ["nope"], clientType: "x"))
        #expect(Set(errors.messages.keys) == ["name", "homepage_url", "redirect_uris", "scopes", "client_type"])
    }

    @Test func aHalfFilledFormCanBeSavedAsADraftButNotSubmitted() throws {
        let draft = try Self.form(description: "", homepage: "", privacy: "", redirects: "", scopes: []).validate().get()
        #expect(!draft.isCompleteForSubmission)
        #expect(
            draft.submissionProblems().messages == [
                "description": "Describe what the app does before submitting it.",
                "homepage_url": "Add the app's homepage before submitting it.",
                "privacy_policy_url": "Add a privacy policy before submitting: schools need to know how pupils' data is handled.",
                "scopes": "Choose at least one scope before submitting.",
            ])
    }

    @Test func userFacingAppsNeedARedirectURIAndAppLevelOnesDoNot() throws {
        let userFacing = try Self.form(redirects: "").validate().get()
        #expect(userFacing.submissionProblems()["redirect_uris"] != nil)
        let appLevel = try Self.form(redirects: "", scopes: ["school.read"]).validate().get()
        #expect(appLevel.isCompleteForSubmission)
        let publicAppLevel = try Self.form(redirects: "", scopes: ["school.read"], clientType: "public").validate().get()
        #expect(publicAppLevel.submissionProblems()["redirect_uris"] != nil)
    }

    @Test func theTermsURLIsOptionalForSubmission() throws {
        #expect(try Self.form(terms: "").validate().get().isCompleteForSubmission)
    }
}
