import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// The school's sign-in settings (`/school/sign-in`: the directory, a SAML provider, an OpenID provider) refuse a
/// setting in the page's language, through the router `main` builds; the developer portal's key form does the same
/// for a JOSE key set; and a date inside a message is written the page language's way. The field names, URIs and
/// protocol names inside stay as written; nothing is saved.
@Suite struct SignInSettingsLanguageTests {
    var app = TestApp()
    let password = "correct horse battery staple"
    let spanish = ["HTTP_ACCEPT_LANGUAGE": "es"]
    let arabic = ["HTTP_ACCEPT_LANGUAGE": "ar"]

    init() throws {
        app.saml = MemorySAMLStore(upstream: app.upstream)
        _ = app.memory.addUser(role: .schoolAdmin, email: "admin@school.test", username: "admin", hash: try testHasher.hash(password))
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
    }

    /// The admin's browser and the page's CSRF token.
    func admin() throws -> (TestBrowser, String) {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn("admin", password).status == 303)
        let page = browser.send("GET", "/school/sign-in")
        #expect(page.status == 200)
        return (browser, try #require(TestBrowser.csrf(in: page)))
    }

    @Test func aDirectorySettingsRefusalIsInSpanishAndNothingIsSaved() throws {
        var (browser, csrf) = try admin()
        let form = [
            ("csrf", csrf), ("name", "School AD"), ("uris", "https://dc1.school.test"), ("bind_dn", "cn=reader,dc=school,dc=test"),
            ("bind_password", "service"), ("base_dn", "dc=school,dc=test"), ("filter", "(&(objectClass=user)(sAMAccountName={name}))"),
            ("link_rule", "email"), ("disabled_check", "none"), ("enabled", "1"),
        ]
        let refused = browser.send("POST", "/school/sign-in/directory", form: form, headers: spanish)
        #expect(refused.status == 400)
        #expect(refused.text.contains("<html lang=\"es\""))
        let uris = "Servidores, probados en orden (ldaps://host, o ldap://host para StartTLS)"
        #expect(refused.text.contains("Directorio, \(uris): https://dc1.school.test debe empezar por ldaps:// o ldap://."), "\(refused.text)")
        #expect(!refused.text.contains("must start with"))
        #expect(try app.directories.signInDirectory(of: SchoolID(1)) == nil)

        var pasted = form
        pasted[2] = ("uris", "ldaps://dc1.school.test")
        pasted.append(("ca_certificates", "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"))
        let key = browser.send("POST", "/school/sign-in/directory", form: pasted, headers: arabic)
        #expect(key.status == 400)
        #expect(key.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(key.text.contains("الدليل، ca_certificates: السطر 1: كتلة من نوع PRIVATE KEY: الصق شهادات جهة التصديق فقط"), "\(key.text)")
        #expect(try app.directories.signInDirectory(of: SchoolID(1)) == nil)
    }

    @Test func aSAMLMetadataRefusalIsInArabicAndASettingsRefusalInSpanish() throws {
        var (browser, csrf) = try admin()
        let noIdentityProvider =
            #"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.school.test/metadata"/>"#
        let form = [
            ("csrf", csrf), ("slug", "school-idp"), ("name", "School IdP"), ("signing", "either"), ("link_rule", "email"),
            ("metadata", noIdentityProvider),
        ]
        let refused = browser.send("POST", "/school/sign-in/saml-providers", form: form, headers: arabic)
        #expect(refused.status == 400)
        #expect(refused.text.contains("metadata: البيانات الوصفية غير صالحة للاستخدام: لا تصف أي مزوّد هوية من نوع SAML 2.0."), "\(refused.text)")
        #expect(!refused.text.contains("not usable"))

        var signing = form
        signing[3] = ("signing", "sometimes")
        let spanishRefusal = browser.send("POST", "/school/sign-in/saml-providers", form: signing, headers: spanish)
        #expect(spanishRefusal.status == 400)
        #expect(spanishRefusal.text.contains("Firmas exigidas: elige either, assertion, response o both."), "\(spanishRefusal.text)")
        #expect(try app.upstream.upstreamProvider(slug: "school-idp") == nil)
    }

    @Test func anOpenIDProviderRefusalIsInSpanishUpToTheProvidersDiscoveryDocument() throws {
        var (browser, csrf) = try admin()
        let form = [
            ("csrf", csrf), ("slug", "school-op"), ("name", "School OP"), ("kind", "generic"), ("client_id", "cw"), ("client_secret", "s3cret"),
            ("issuer", "http://op.school.test"), ("link_rule", "email"),
        ]
        let refused = browser.send("POST", "/school/sign-in/providers", form: form, headers: spanish)
        #expect(refused.status == 400)
        #expect(
            refused.text.contains(
                "issuer: escribe la URL https del proveedor (su documento de descubrimiento es esa URL + /.well-known/openid-configuration)."),
            "\(refused.text)")

        // A provider whose discovery document names another issuer is refused before it is saved.
        app.upstreamTransport.answer(
            "https://op.school.test/.well-known/openid-configuration",
            json:
                #"{"issuer":"https://evil.example","authorization_endpoint":"https://evil.example/a","token_endpoint":"https://evil.example/t","jwks_uri":"https://evil.example/k"}"#
        )
        var https = form
        https[6] = ("issuer", "https://op.school.test")
        let unusable = browser.send("POST", "/school/sign-in/providers", form: https, headers: spanish)
        #expect(unusable.status == 400)
        #expect(
            unusable.text.contains(
                "El proveedor no está disponible en este momento: su documento de descubrimiento no se puede usar (el documento es del issuer https://evil.example, no de https://op.school.test)."
            ), "\(unusable.text)")
        #expect(try app.upstream.upstreamProvider(slug: "school-op") == nil)

        let domains = browser.send("POST", "/school/sign-in/domains", form: [("csrf", csrf), ("domains", "not a domain!")], headers: spanish)
        #expect(domains.status == 400)
        #expect(domains.text.contains("Dominios: escribe de uno a 20 dominios, separados por comas."))
    }

    @Test func aProviderThatCannotBeReachedSaysSoInArabicWhenASignInStarts() throws {
        var generator = SystemRandomNumberGenerator()
        let sealed = try UpstreamClientSecret.seal("op-secret", slug: "quiet-op", key: app.oauthKeys.upstreamSecretKey, using: &generator)
        _ = try app.upstream.saveUpstreamProvider(
            NewUpstreamProvider(
                slug: "quiet-op", schoolID: SchoolID(1), name: "Quiet OP", kind: .generic, authority: "https://quiet.school.test", clientID: "cw",
                sealedSecret: sealed, linkRule: .email, jitStudents: false, enabled: true),
            now: app.clock.now)
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/login/upstream/quiet-op", headers: arabic)
        #expect(page.status == 502)
        #expect(page.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(page.text.contains("المزوّد غير متاح الآن: تعذّر جلب مستند الاكتشاف الخاص به (connection refused)."), "\(page.text)")
    }

    @Test func thePortalsKeyFormShowsAKeySetRefusalInArabicAndSpanish() throws {
        let account = DeveloperAccount(id: DeveloperID(7), email: "dev@example.com", name: "Dev", company: nil, state: .active, totpEnabled: true)
        let session = DeveloperSignedIn(account: account, digest: [], csrf: "token", idleMinutes: 30)
        func page(_ acceptLanguage: String, jwks: String, jwksURI: String = "") throws -> String {
            let form = ApplicationForm(
                name: "Homework Helper", description: "Homework.", homepageURL: "https://hh.example", privacyPolicyURL: "https://hh.example/p",
                termsURL: "", redirectURIs: "https://hh.example/cb", scopes: ["openid"], clientType: "confidential")
            guard
                case .failure(let errors) = ApplicationClientAuthentication.validate(
                    method: ClientKeyRegistration.methodName, jwks: jwks, jwksURI: jwksURI, requirePAR: false, clientType: .confidential)
            else {
                Issue.record("accepted")
                return ""
            }
            var values = PortalAppPages.FormValues(form)
            values.jwks = jwks
            values.jwksURI = jwksURI
            let language = PageLanguage(translations: testTranslations, returnPath: { "/apps/new" }, cookie: nil, acceptLanguage: acceptLanguage)
            return PageLanguage.$current.withValue(language) {
                PortalAppPages.form(session: session, title: "App", action: "/apps", version: nil, values: values, errors: errors).rendered
            }
        }
        let privateKey = try page("ar", jwks: #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#)
        #expect(privateKey.contains("id=\"jwks-error\""))
        #expect(privateKey.contains("تحتوي مجموعة المفاتيح على مفتاح خاص أو متماثل؛ انشر المفاتيح العامة فقط."), "\(privateKey)")
        #expect(!privateKey.contains("private or symmetric"))
        let skipped = try page("es", jwks: #"{"keys":[{"kty":"OKP","kid":"ed"}]}"#)
        #expect(
            skipped.contains(
                "El conjunto de claves no tiene ninguna clave de firma utilizable: usa claves RSA de 2048 bits o más o claves P-256 (ed: key type OKP is not used)."
            ))
        let uri = try page("es", jwks: "", jwksURI: "http://keys.example/jwks.json")
        #expect(uri.contains("id=\"jwks_uri-error\"") && uri.contains("El jwks_uri debe ser una URL https de 2000 caracteres como máximo"))
    }

    @Test func aDateInAMessageIsWrittenThePageLanguagesWayInUTC() {
        let runsAfter = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28 20:26 UTC
        let refusal = ErasureRefusal(.alreadyOpen(.scheduled, runsAfter: runsAfter)).problem
        func render(_ language: String) -> String { MailLanguage.rendering(in: language, translations: testTranslations) { L(refusal) } }
        let arabic = render("ar")
        #expect(arabic.contains("٢٠٢٦") && arabic.contains("٢٨") && arabic.contains("UTC"), "\(arabic)")
        #expect(!arabic.contains { $0.isASCII && $0.isNumber }, "\(arabic)")
        let spanish = render("es")
        #expect(spanish.contains("28 may 2026") && spanish.contains("20:26 UTC"), "\(spanish)")
        #expect(render("fr").contains("28 mai 2026"))
        let englishDay = MailLanguage.rendering(in: "en", translations: testTranslations) { Display.localDateTime(runsAfter) }
        #expect(render("en") == refusal.english.replacingOccurrences(of: ErasureRules.dayText(runsAfter), with: englishDay))
    }
}
