import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The page's language through the router `main` builds: `ui_locales` on `/authsso`, `Accept-Language`, the
/// switcher's cookie and the saved preference, `dir="rtl"` for Arabic, and the translated scope descriptions.
@Suite struct LanguageRouteTests {
    let app = TestApp()
    let password = "correct horse battery staple"
    let student: UserAccount

    init() throws {
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
        try app.oauth.createClient(
            OAuthClient(
                clientID: ClientID("server-app"), name: "Server App", developerName: "Example Ltd", verified: true, kind: .confidential,
                redirectURIs: ["https://app.example/cb"], allowedScopes: ["openid", "profile.read", "student.grades.read"]),
            now: app.clock.now)
    }

    func consentURI(_ extra: String = "") -> String {
        "/authsso?response_type=code&client_id=server-app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid%20student.grades.read"
            + "&state=s&code_challenge=\(PKCE.s256Challenge(verifier: String(repeating: "v", count: 50)))&code_challenge_method=S256" + extra
    }

    func signedIn() -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        _ = browser.signIn("ada@school.test", password)
        return browser
    }

    @Test func uiLocalesPicksTheConsentPagesLanguageAndArabicIsRightToLeft() {
        var browser = signedIn()
        let english = browser.send("GET", consentURI())
        #expect(english.status == 200)
        #expect(english.text.contains("<html lang=\"en\" dir=\"ltr\">") && english.text.contains(">Allow</button>"))
        #expect(english.text.contains("Server App asks for 2 permissions:") && english.text.contains("See your grades"))

        let arabic = browser.send("GET", consentURI("&ui_locales=ar-EG%20fr"))
        #expect(arabic.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(arabic.text.contains(">سماح</button>") && arabic.text.contains("يطلب Server App صلاحيتين:"))
        #expect(arabic.text.contains("الاطلاع على درجاتك"))
        // The consent POST carries the app's languages on.
        #expect(arabic.text.contains("name=\"ui_locales\" value=\"ar-EG fr\""))

        let french = browser.send("GET", consentURI("&ui_locales=de%20fr-CA"))
        #expect(french.text.contains("<html lang=\"fr\" dir=\"ltr\">") && french.text.contains("Server App demande 2 autorisations :"))
    }

    @Test func theSignInPageOnTheWayToConsentFollowsTheAppsUILocales() {
        var browser = TestBrowser(responder: app.responder())
        let detour = browser.send("GET", consentURI("&ui_locales=fr"))
        #expect(detour.status == 303)
        let login = browser.send("GET", detour.headers["Location"] ?? "")
        #expect(login.text.contains("<html lang=\"fr\"") && login.text.contains(">Se connecter</button>"))
    }

    @Test func acceptLanguageIsUsedWhenNothingMoreSpecificIsKnown() {
        var browser = signedIn()
        let spanish = browser.send("GET", consentURI(), headers: ["HTTP_ACCEPT_LANGUAGE": "de;q=1, es-MX;q=0.8, en;q=0.5"])
        #expect(spanish.text.contains("<html lang=\"es\"") && spanish.text.contains(">Permitir</button>"))
        #expect(spanish.text.contains("Ver tus notas"))
    }

    @Test func theSwitcherSavesASignedInPersonsChoiceAboveTheAppsHint() throws {
        var browser = signedIn()
        let page = browser.send("GET", "/account")
        #expect(page.text.contains("id=\"language-switcher\""))
        let csrf = try #require(TestBrowser.csrf(in: page))
        let switched = browser.send("POST", "/language", form: [("csrf", csrf), ("language", "fr"), ("next", "/account")])
        #expect(switched.status == 303 && switched.headers["Location"] == "/account")
        #expect(try app.languages.languages(of: student.id).person == "fr")
        browser.cookies[SessionCookie.language] = nil
        let consent = browser.send("GET", consentURI("&ui_locales=ar"))
        #expect(consent.text.contains("<html lang=\"fr\"") && consent.text.contains(">Autoriser</button>"))
        // Without the session's token the choice is refused and nothing is saved.
        let forged = browser.send("POST", "/language", form: [("csrf", "wrong"), ("language", "ar")])
        #expect(forged.status == 403)
        #expect(try app.languages.languages(of: student.id).person == "fr")
    }

    @Test func aSignedOutVisitorsChoiceIsACookie() {
        var browser = TestBrowser(responder: app.responder())
        let switched = browser.send("POST", "/language", form: [("language", "ar"), ("next", "/login")])
        #expect(switched.status == 303 && switched.headers["Location"] == "/login")
        #expect(browser.cookies[SessionCookie.language] == "ar")
        let login = browser.send("GET", "/login")
        #expect(
            login.text.contains("<html lang=\"ar\" dir=\"rtl\">") && login.text.contains("<option value=\"ar\" lang=\"ar\" selected>العربية</option>")
        )
        let unknown = browser.send("POST", "/language", form: [("language", "tlh")])
        #expect(unknown.status == 400)
        let crossSite = browser.send("POST", "/language", form: [("language", "fr")], headers: ["HTTP_SEC_FETCH_SITE": "cross-site"])
        #expect(crossSite.status == 403 && browser.cookies[SessionCookie.language] == "ar")
    }

    @Test func theSchoolsDefaultComesBeforeTheBrowsers() {
        app.languages.setSchoolDefault("es", for: student.id)
        var browser = signedIn()
        let page = browser.send("GET", "/account", headers: ["HTTP_ACCEPT_LANGUAGE": "fr"])
        #expect(page.text.contains("<html lang=\"es\""))
    }

    @Test func errorPagesAreLocalised() {
        var browser = TestBrowser(responder: app.responder())
        let missing = browser.send("GET", "/no-such-page", headers: ["HTTP_ACCEPT_LANGUAGE": "ar"])
        #expect(missing.status == 404 && missing.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(missing.text.contains("الصفحة غير موجودة"))
    }

    @Test func aSchoolAdminSetsTheSchoolsDefaultLanguageWhichItsPeopleSeeBeforeTheirBrowsers() throws {
        app.memory.addUser(role: .schoolAdmin, email: "head@school.test", hash: try testHasher.hash(password))
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
        var head = TestBrowser(responder: app.responder())
        #expect(head.signIn("head@school.test", password).status == 303)
        let overview = head.send("GET", "/school", headers: ["HTTP_ACCEPT_LANGUAGE": "en"])
        #expect(overview.status == 200 && overview.text.contains("id=\"school-language\""))
        #expect(overview.text.contains("<option value=\"\" selected>Each person’s browser language</option>"))
        let csrf = TestBrowser.csrf(in: overview) ?? ""

        for refused in ["tlh", "es-MX", "ES"] {
            let answer = head.send("POST", "/school/language", form: [("csrf", csrf), ("language", refused)])
            #expect(answer.status == 400 && answer.text.contains("Choose one of the languages listed."), "\(refused)")
        }
        #expect(head.send("POST", "/school/language", form: [("language", "es")]).status == 403, "no CSRF token, nothing saved")
        #expect(try app.languages.schoolLanguage(of: SchoolID(1)) == nil && app.audit.all.allSatisfy { $0.event != .schoolLanguageChanged })

        let saved = head.send("POST", "/school/language", form: [("csrf", csrf), ("language", "es")])
        #expect(saved.status == 303 && saved.headers["Location"] == "/school?saved=language")
        #expect(try app.languages.schoolLanguage(of: SchoolID(1)) == "es")
        let entry = try #require(app.audit.all.last)
        #expect(entry.event == .schoolLanguageChanged && entry.school == SchoolID(1) && entry.detail == "default language: es")

        // The school's people without a saved language now get Spanish whatever their browser asks; the
        // admin's own pages too (they saved no language either), with the choice shown selected.
        var browser = signedIn()
        #expect(browser.send("GET", "/account", headers: ["HTTP_ACCEPT_LANGUAGE": "en"]).text.contains("<html lang=\"es\""))
        let spanish = head.send("GET", "/school?saved=language", headers: ["HTTP_ACCEPT_LANGUAGE": "en"])
        #expect(spanish.text.contains("<html lang=\"es\"") && spanish.text.contains("<option value=\"es\" lang=\"es\" selected>"))
        #expect(spanish.text.contains("Guardado."))

        #expect(head.send("POST", "/school/language", form: [("csrf", csrf), ("language", "")]).status == 303)
        #expect(try app.languages.schoolLanguage(of: SchoolID(1)) == nil)
        #expect(browser.send("GET", "/account", headers: ["HTTP_ACCEPT_LANGUAGE": "fr"]).text.contains("<html lang=\"fr\""))
    }
}
