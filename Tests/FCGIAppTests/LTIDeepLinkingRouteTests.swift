import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// LTI Deep Linking 2.0 at the router (issue 19): the return URL refuses what it cannot read with a page saying so,
/// in the person's language, before anything is looked up; the class page offers "Add content" only for tools with a
/// Deep Linking URL; the portal's app form has the Deep Linking URL field and shows its error next to it. The whole
/// flow with a real tool and a database is `tests/e2e/test_lti_deep_linking.py`; the store, `LTIStoreTests`.
@Suite struct LTIDeepLinkingRouteTests {
    let app = TestApp()

    static func b64(_ text: String) -> String { SecretToken.base64URL(Array(text.utf8)) }

    @Test func aPostWithoutAReadableResponseGetsAnErrorPageInThePersonsLanguage() {
        var browser = TestBrowser(responder: app.responder())
        for form in [[("JWT", "not-a-jwt")], [("other", "x")], [("JWT", "a.b.c")]] {
            let page = browser.send("POST", "/lti/deep-linking/3/return", form: form, headers: ["HTTP_ACCEPT_LANGUAGE": "fr"])
            #expect(page.status == 400)
            #expect(page.text.contains("<html lang=\"fr\""))
            #expect(page.text.contains("La réponse de l’outil n’est pas une réponse LTI Deep Linking signée et lisible. Rien n’a été ajouté."))
        }
        // Twice the same field is refused too (one response per post).
        let twice = browser.send("POST", "/lti/deep-linking/3/return", form: [("JWT", "x"), ("JWT", "y")])
        #expect(twice.status == 400 && twice.text.contains("not a readable signed LTI Deep Linking response"))
    }

    @Test func aResponseFromNoRegisteredToolIsRefusedBeforeItsSignatureIsEvenLookedAt() {
        var browser = TestBrowser(responder: app.responder())
        let payload = #"{"iss":"cw_app_nobody","https://purl.imsglobal.org/spec/lti-dl/claim/data":"cw_ltidd_x"}"#
        let jwt = Self.b64(#"{"alg":"RS256"}"#) + "." + Self.b64(payload) + "." + Self.b64("sig")
        let page = browser.send("POST", "/lti/deep-linking/3/return", form: [("JWT", jwt)], headers: ["HTTP_ACCEPT_LANGUAGE": "es"])
        #expect(page.status == 400)
        #expect(page.text.contains("La respuesta no procede de una herramienta LTI registrada. No se ha añadido nada."))
        #expect(browser.send("GET", "/lti/deep-linking/3/return").status == 405)
    }

    @Test func theClassPageOffersAddContentOnlyForToolsWithADeepLinkingURL() {
        let language = PageLanguage(translations: testTranslations, returnPath: { "/teacher" }, cookie: nil, acceptLanguage: "en")
        let page = PageLanguage.$current.withValue(language) {
            LTIPages.classTools(
                classID: ClassID(3), links: [],
                placeable: [
                    LTIPlaceableTool(clientID: ClientID("cw_app_picker"), name: "Picker", supportsDeepLinking: true),
                    LTIPlaceableTool(clientID: ClientID("cw_app_plain"), name: "Plain"),
                ], csrf: "token"
            ).rendered
        }
        #expect(page.contains("action=\"/teacher/classes/3/lti/deep-link\""))
        #expect(page.contains("<input type=\"hidden\" name=\"tool\" value=\"cw_app_picker\">"))
        #expect(page.contains("Add content from Picker") && !page.contains("Add content from Plain"))
        let student = PageLanguage.$current.withValue(language) {
            LTIPages.classTools(classID: ClassID(3), links: [], placeable: nil, csrf: "token").rendered
        }
        #expect(!student.contains("deep-link"), "no picker for someone who may not place tools")
    }

    @Test func thePortalsAppFormHasTheDeepLinkingURLAndShowsItsErrorNextToIt() throws {
        var form = ApplicationForm(
            name: "Tool", description: "d", homepageURL: "https://tool.example", privacyPolicyURL: "", termsURL: "", redirectURIs: "",
            scopes: ["openid"], clientType: "confidential")
        form.lti = LTIToolForm(
            isTool: true, loginInitiationURL: "https://tool.example/login", targetLinkURI: "https://tool.example/launch",
            redirectURIs: "https://tool.example/launch", deepLinkingURL: "http://tool.example/deep")
        guard case .failure(let errors) = form.validate() else {
            Issue.record("a plain-http Deep Linking URL was accepted")
            return
        }
        #expect(errors[LTIToolSettings.Field.deepLinkingURL] != nil)
        let account = DeveloperAccount(id: DeveloperID(7), email: "dev@example.com", name: "Dev", company: nil, state: .active, totpEnabled: true)
        let session = DeveloperSignedIn(account: account, digest: [], csrf: "token", idleMinutes: 30)
        let language = PageLanguage(translations: testTranslations, returnPath: { "/apps/new" }, cookie: nil, acceptLanguage: "es")
        let page = PageLanguage.$current.withValue(language) {
            PortalAppPages.form(session: session, title: "App", action: "/apps", version: nil, values: .init(form), errors: errors).rendered
        }
        #expect(page.contains("URL de Deep Linking (opcional)"))
        #expect(page.contains("name=\"lti_deep_linking_url\" type=\"url\""))
        #expect(page.contains("value=\"http://tool.example/deep\""))
        #expect(page.contains("id=\"lti_deep_linking_url-error\""))
    }
}
