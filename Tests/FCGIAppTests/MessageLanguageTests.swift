import Crypto
import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Domain's messages (``Message``) reach the page in its language: the teacher's assessment form, the password form,
/// the portal's app form, and the authorization endpoint's error page (whose developer detail stays English).
@Suite struct MessageLanguageTests {
    let app = TestApp()
    let password = "correct horse battery staple"
    let ownClass: ClassID
    let spanish = ["HTTP_ACCEPT_LANGUAGE": "es"]

    init() throws {
        let hash = try testHasher.hash(password)
        let teacher = app.memory.addUser(role: .teacher, email: "teacher@school.test", username: "teacher", hash: hash)
        let ada = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: hash)
        ownClass = app.memory.addClass(title: "Mathematics 7A", teachers: [teacher.id], students: [ada.id])
        try app.secondFactors.setSecondFactorPolicy(SecondFactorPolicy(requiredRoles: []), of: SchoolID(1), now: app.clock.now)
    }

    func signedIn(_ name: String) -> TestBrowser {
        var browser = TestBrowser(responder: app.responder())
        #expect(browser.signIn(name, password).status == 303)
        return browser
    }

    @Test func theTeachersFormShowsItsFieldErrorsInSpanish() throws {
        var browser = signedIn("teacher")
        let page = browser.send("GET", "/teacher/classes/\(ownClass)", headers: spanish)
        let csrf = try #require(TestBrowser.csrf(in: page))
        let refused = browser.send(
            "POST", "/teacher/classes/\(ownClass)/assessments",
            form: [("csrf", csrf), ("title", " "), ("max_score", "abc"), ("due_date", "2026-02-30")], headers: spanish)
        #expect(refused.status == 422)
        #expect(refused.text.contains("<html lang=\"es\""))
        #expect(refused.text.contains("Ponle un título a la evaluación."))
        #expect(refused.text.contains("Escribe un número mayor que 0 y de 1000 como máximo, con dos decimales como máximo."))
        #expect(refused.text.contains("Escribe una fecha real como AAAA-MM-DD, o déjalo vacío."))
        #expect(!refused.text.contains("Give the assessment a title."))
    }

    @Test func thePasswordFormShowsThePasswordRuleInSpanishAndArabicWithArabicDigits() throws {
        var browser = signedIn("ada")
        let csrf = try #require(TestBrowser.csrf(in: browser.send("GET", "/account/password")))
        let form = [("csrf", csrf), ("current", password), ("password", "short"), ("confirmation", "short")]
        let refused = browser.send("POST", "/account/password", form: form, headers: spanish)
        #expect(refused.status == 422)
        #expect(refused.text.contains("Usa al menos 10 caracteres."))
        let arabic = browser.send("POST", "/account/password", form: form, headers: ["HTTP_ACCEPT_LANGUAGE": "ar"])
        #expect(arabic.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(arabic.text.contains("١٠") && !arabic.text.contains("Use at least"))
        let mismatch = browser.send(
            "POST", "/account/password",
            form: [("csrf", csrf), ("current", password), ("password", "long enough words"), ("confirmation", "other words here")],
            headers: spanish)
        #expect(mismatch.text.contains("Las dos contraseñas no coinciden."))
    }

    @Test func thePortalsAppFormShowsItsFieldErrorsInSpanish() throws {
        let form = ApplicationForm(
            name: "", description: "", homepageURL: "http://plain.example", privacyPolicyURL: "", termsURL: "",
            redirectURIs: "https://app.example/cb#frag", scopes: ["no.such.scope"], clientType: "")
        guard case .failure(let errors) = form.validate() else {
            Issue.record("an empty form was accepted")
            return
        }
        let account = DeveloperAccount(id: DeveloperID(7), email: "dev@example.com", name: "Dev", company: nil, state: .active, totpEnabled: true)
        let session = DeveloperSignedIn(account: account, digest: [], csrf: "token", idleMinutes: 30)
        let language = PageLanguage(translations: testTranslations, returnPath: { "/apps/new" }, cookie: nil, acceptLanguage: "es")
        let page = PageLanguage.$current.withValue(language) {
            PortalAppPages.form(session: session, title: "App", action: "/apps", version: nil, values: .init(form), errors: errors).rendered
        }
        #expect(page.contains("Ponle un nombre a la app."))
        #expect(page.contains("Escribe una dirección completa que empiece por https://."))
        #expect(page.contains("https://app.example/cb#frag: Quita el #fragmento de la dirección."))
        #expect(page.contains("Ámbito desconocido: no.such.scope."))
        #expect(page.contains("Elige confidencial o pública."))
        #expect(!page.contains("Give the app a name."))
    }

    @Test func theAuthorizeErrorPageFollowsUILocalesAndKeepsTheDeveloperDetailInEnglish() {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/authsso?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fx.example%2Fcb&ui_locales=fr")
        #expect(page.status == 400)
        #expect(page.text.contains("<html lang=\"fr\""))
        #expect(page.text.contains("Ce site ne connaît pas l’application qui vous a envoyé ici."))
        #expect(page.text.contains("<code lang=\"en\" dir=\"ltr\">invalid_client: Unknown client.</code>"))
    }

    /// The English a rule writes (for the command line, logs and APIs) and the English catalogue agree, so a page in
    /// English reads exactly what the CLI prints.
    @Test func theEnglishCatalogueWritesWhatTheRulesWrite() {
        var messages: [Message] = []
        if case .failure(let errors) = SchoolworkForms.assessment(title: String(repeating: "t", count: 201), maxScore: "x", dueDate: "x") {
            messages += errors.problems.values
        }
        let app = ApplicationForm(
            name: "a\u{7}", description: "d\u{7}", homepageURL: "https://u@x.example", privacyPolicyURL: "https://*.example",
            termsURL: "ftp://x", redirectURIs: "http://localhost/cb", scopes: ["openid", "openid"], clientType: "x",
            logoSHA256: "nope", declarations: [.init(scope: "openid", purpose: "p", retention: "custom", retentionDays: "0")])
        if case .failure(let errors) = app.validate() { messages += errors.problems.values }
        let signUp = DeveloperSignUpForm(
            name: "", email: "", company: String(repeating: "c", count: 101), password: "a", confirmation: "a", acceptedTerms: false)
        if case .failure(let errors) = signUp.validate() { messages += errors.problems.values }
        if case .failure(let errors) = WebhookEndpointForm(url: "", events: ["nope"]).validate() { messages += errors.problems.values }
        if case .failure(let problem) = LogoImage.inspect(Array("GIF89a".utf8)) { messages.append(problem.problem) }
        messages += [
            ErasureRefusal(.alreadyOpen(.scheduled, runsAfter: Date(timeIntervalSince1970: 1_780_000_000))).problem,
            ErasureRefusal(.wrongStatus(.running)).problem, SupportTicketCategory.review.label, .authorizeMalformed,
        ]
        messages += ClientLogoutRegistration(postLogoutRedirectURIs: ["ftp://x", "ftp://x"], backchannelLogoutSessionRequired: true).problems()
        messages += Self.signInSettingsProblems()
        messages += Self.federationRefusals()
        #expect(messages.count > 80)
        MailLanguage.rendering(in: "en") {
            for message in messages {
                // A page groups a count's digits the language's way (3,650); the rule's English writes them plain.
                var english = message.count.map {
                    message.english.replacingOccurrences(of: "\($0)", with: LocaleFormatting.number($0, language: "en"))
                }
                // A date is the page language's medium date and time (UTC); the rule's English writes it en_GB.
                for date in message.dates.values {
                    english = (english ?? message.english).replacingOccurrences(of: ErasureRules.dayText(date), with: Display.localDateTime(date))
                }
                #expect(L(message) == english ?? message.english, "\(message.key)")
            }
        }
    }

    @Test func thePortalsAppPageShowsAReviewRefusalAndTheActivityInSpanishAndArabic() throws {
        let draft = ApplicationDraft(
            name: "Homework Helper", description: "Shows pupils their homework.", homepageURL: "https://hh.example",
            privacyPolicyURL: "https://hh.example/privacy", redirectURIs: ["https://hh.example/cb"], requestedScopes: ["openid"])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let app = StoredApplication(
            id: ApplicationID(2), clientID: ClientID("hh"),
            review: ApplicationReview(owner: DeveloperID(7), state: .rejected(draft, reason: "No privacy policy.")), version: 1,
            createdAt: now, updatedAt: now)
        let account = DeveloperAccount(id: DeveloperID(7), email: "dev@example.com", name: "Dev", company: nil, state: .active, totpEnabled: true)
        let session = DeveloperSignedIn(account: account, digest: [], csrf: "token", idleMinutes: 30)
        let entry = ActivityEntry(actorName: "Platform review", action: ApplicationActivity.reviewSuspended, detail: nil, at: now)
        func page(_ acceptLanguage: String) -> String {
            let language = PageLanguage(translations: testTranslations, returnPath: { "/apps/2" }, cookie: nil, acceptLanguage: acceptLanguage)
            return PageLanguage.$current.withValue(language) {
                let refusal = L(ApplicationReviewError.illegal(.withdraw, in: .rejected).problem)
                return PortalAppPages.detail(
                    session: session, app: app, history: [], activity: ActivityPage(entries: [entry], older: nil, newer: nil),
                    problems: [refusal, L(ApplicationReviewError.reasonTooLong.problem)], notice: nil
                ).rendered
            }
        }
        let spanish = page("es")
        #expect(spanish.contains("Una aplicación en estado «rechazada» no puede ser retirada."))
        #expect(spanish.contains("Use como máximo 1000 caracteres para el motivo."))
        #expect(spanish.contains("Revisión de la plataforma: suspendió la aplicación"))
        #expect(!spanish.contains("cannot be withdrawn") && !spanish.contains("suspended the app"))
        let arabic = page("ar")
        #expect(arabic.contains("لا يمكن أن يكون التطبيق الذي حالته «مرفوض» قابلًا للسحب."))
        #expect(!arabic.contains("cannot be"))
    }

    @Test func aRosterImportsSummaryIsInThePagesLanguage() {
        var skipped = RosterSnapshot.Skipped()
        skipped.courses = 1
        skipped.classes = 1
        skipped.users = 2
        let counts = RosterImportSummary.Counts(created: 2)
        let summary = RosterImportSummary(
            schoolID: SchoolID(1), schoolName: "Northside", school: .init(created: 1), terms: counts, courses: counts, classes: counts,
            users: counts, enrollments: counts, guardianLinks: counts, skipped: skipped, ignoredPasswords: 1, endedSessions: 0,
            invitations: [])
        func lines(_ acceptLanguage: String) -> [String] {
            let language = PageLanguage(translations: testTranslations, returnPath: { "/school/roster" }, cookie: nil, acceptLanguage: acceptLanguage)
            return PageLanguage.$current.withValue(language) { summary.messages.map { L($0) } }
        }
        #expect(lines("en") == summary.lines)
        let spanish = lines("es")
        #expect(spanish.contains("Escuela Northside: creada"))
        #expect(spanish.contains("Omitidos (otras escuelas): 1 asignatura, 1 curso, 2 usuarios"))
        #expect(spanish.contains("Se ignoró la columna password de 1 usuario: las contraseñas nunca se importan"))
        #expect(lines("ar").contains("تم التخطي (مدارس أخرى): مقرر واحد، صف واحد، مستخدمان"))
    }

    /// A refusal of each kind the sign-in settings and the key sets give: settings, directory URIs and CA text, SAML
    /// settings and metadata, discovery documents, key sets.
    /// Every upstream sign-in refusal after the provider answered (the token endpoint's, the ID token's) and every
    /// SAML response refusal a person is shown.
    static func federationRefusals() -> [Message] {
        let idToken: [UpstreamSignInRefusal] = [
            .malformed("x"), .algorithmNotAllowed(""), .algorithmNotAllowed("HS256"), .unknownKey, .badSignature, .wrongIssuer, .wrongAudience,
            .expired, .issuedInTheFuture, .nonceMismatch, .missingSubject, .emailNotVerified, .wrongDomain, .wrongTenant,
        ]
        let tokenEndpoint: [UpstreamTokenEndpointFailure] = [
            .unreachable("connection refused"), .status(500, error: nil), .status(400, error: "invalid_grant"), .noIDToken,
        ]
        return idToken.map { UpstreamSignInFailure.refused($0).problem } + tokenEndpoint.map { UpstreamSignInFailure.tokenEndpoint($0).problem }
            + [
                SAMLRefusal.untrusted, SAMLRefusal.unsolicited, SAMLRefusal.otherRequest, SAMLRefusal.encryptedNameID,
                SAMLRefusal.transientNameID, SAMLRefusal.expired, SAMLRefusal.notYetValid,
                SAMLRefusal.providerStatus("Responder / AuthnFailed", statusMessage: nil),
                SAMLRefusal.providerStatus("Responder", statusMessage: "Locked out"),
            ]
    }

    @Test func federationRefusalsAreTranslatedAndKeepWhatTheProviderSent() {
        for message in Self.federationRefusals() {
            for language in ["es", "fr", "ar"] {
                #expect(rendered(message, in: language) != message.english, "\(message.key) in \(language)")
            }
        }
        let algorithm = UpstreamSignInFailure.refused(.algorithmNotAllowed("HS256")).problem
        #expect(rendered(algorithm, in: "es") == "El proveedor firmó su respuesta con HS256, que no se acepta (solo RS256 o ES256).")
        let status = SAMLRefusal.providerStatus("Responder", statusMessage: "Locked out")
        #expect(rendered(status, in: "ar") == "لم تُسجّل خدمة تسجيل الدخول في مدرستك دخولك (Responder): Locked out.")
    }

    static func signInSettingsProblems() -> [Message] {
        var messages: [Message] = []
        let key = SymmetricKey(size: .bits256)
        var generator = SystemRandomNumberGenerator()
        func directory(_ change: (inout SignInDirectorySettings) -> Void) {
            var settings = SignInDirectorySettings()
            settings.name = "AD"
            settings.uris = "ldaps://dc1.school.test"
            settings.bindDN = "cn=reader,dc=school,dc=test"
            settings.bindPassword = "service"
            settings.baseDN = "dc=school,dc=test"
            settings.filter = "(&(objectClass=user)(sAMAccountName={name}))"
            change(&settings)
            do {
                _ = try settings.validated(school: SchoolID(1), key: key, existing: nil, using: &generator)
                Issue.record("accepted")
            } catch { messages.append(error.problem) }
        }
        directory { $0.name = "" }
        directory { $0.uris = "" }
        directory { $0.uris = "ldapi:///" }
        directory { $0.uris = "https://x" }
        directory { $0.uris = "ldaps://x/dc=a" }
        directory { $0.uris = "ldaps://\u{7}" }
        directory {
            $0.uris = "ldapi://x"
            $0.allowPlain = true
        }
        directory { $0.bindDN = "" }
        directory { $0.bindPassword = "" }
        directory { $0.bindPassword = "a\u{0}" }
        directory { $0.baseDN = "x" }
        directory { $0.filter = "(uid=x)" }
        directory { $0.linkAttribute = "a;b" }
        directory {
            $0.linkRule = "guess"
            $0.linkAttribute = "uid"
        }
        directory { $0.disabledCheck = "maybe" }
        for text in [
            "x", "-----BEGIN EC PRIVATE KEY-----\n", "-----BEGIN CERTIFICATE-----\nMIIB\n",
            "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n", String(repeating: " ", count: PEMCertificates.maximumBytes + 1),
        ] {
            if case .failure(let refusal) = PEMCertificates.normalized(text) { messages.append(refusal.problem) }
        }
        func provider(_ change: (inout UpstreamProviderSettings) -> Void) {
            var settings = UpstreamProviderSettings()
            settings.slug = "op"
            settings.name = "OP"
            settings.clientID = "cw"
            settings.clientSecret = "s"
            settings.issuer = "https://op.example"
            change(&settings)
            do {
                _ = try settings.validated(school: nil, key: key, allowLoopbackHTTP: false, using: &generator)
                Issue.record("accepted")
            } catch { messages.append(error.problem) }
        }
        provider { $0.slug = "callback" }
        provider { $0.name = "" }
        provider { $0.clientID = "a b" }
        provider { $0.clientSecret = "" }
        provider { $0.kind = "other" }
        provider { $0.issuer = "http://x" }
        provider { $0.kind = "google" }
        provider { $0.kind = "entra" }
        provider { $0.linkClaim = "a b" }
        provider { $0.linkRule = "guess" }
        provider {
            $0.kind = "entra"
            $0.tenants = ["t"]
        }
        provider { $0.jitStudents = true }
        func saml(_ change: (inout SAMLProviderSettings) -> Void) {
            var settings = SAMLProviderSettings()
            settings.slug = "idp"
            settings.name = "IdP"
            change(&settings)
            do {
                _ = try settings.validated(school: nil)
                Issue.record("accepted")
            } catch { messages.append(error.problem) }
        }
        saml { $0.slug = "" }
        saml { $0.name = "" }
        saml { $0.signing = "x" }
        saml { $0.nameIDFormat = "x" }
        saml { $0.linkAttribute = "a b" }
        saml { $0.linkRule = "x" }
        saml { $0.jitStudents = true }
        let md = "urn:oasis:names:tc:SAML:2.0:metadata"
        for root in [
            SAMLElement(namespace: md, name: "Other"),
            SAMLElement(namespace: md, name: "EntityDescriptor", attributes: ["entityID": "https://idp.example"]),
            SAMLElement(namespace: md, name: "EntityDescriptor", attributes: ["validUntil": "2000-01-01T00:00:00Z"]),
            SAMLElement(namespace: md, name: "EntityDescriptor", attributes: ["validUntil": "soon"]),
        ] {
            if case .failure(let problem) = SAMLIdentityProviderMetadata.parse(root, entityID: nil, now: Date(), allowLoopbackHTTP: false) {
                messages.append(problem.problem)
            }
        }
        for document in [
            "x", "{}", #"{"issuer":"https://other.example"}"#, #"{"issuer":"https://op.example"}"#,
            #"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/a","token_endpoint":"https://op.example/t","jwks_uri":"https://op.example/k","response_types_supported":["token"]}"#,
            #"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/a","token_endpoint":"https://op.example/t","jwks_uri":"https://op.example/k","code_challenge_methods_supported":["plain"]}"#,
        ] {
            if case .failure(let refusal) = OpenIDProviderMetadata.parse(Array(document.utf8), expectedIssuer: "https://op.example") {
                messages.append(refusal.problem)
            }
        }
        for (jwks, uri) in [
            ("", ""), ("{}", "https://k.example"), ("", "http://k.example"), ("x", ""), (#"{"keys":[]}"#, ""), (#"{"keys":[{"kty":"OKP"}]}"#, ""),
            (#"{"keys":[{"kty":"oct","k":"AA"}]}"#, ""), ("{}", ""),
            (#"{"keys":["# + String(repeating: " ", count: ClientKeySet.maximumDocumentLength) + "]}", ""),
        ] {
            if case .failure(let invalid) = ClientKeyRegistration.validate(jwks: jwks, jwksURI: uri) { messages.append(invalid.problem) }
        }
        #expect(messages.allSatisfy { !$0.key.isEmpty })
        return messages
    }

    @Test func theOrganisationsActivityNamesRolesInSpanishAndArabicAndKeepsOtherDetails() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let entries = [
            ActivityEntry(actorName: "Vic", action: OrganisationActivity.joined, detail: "as Developer", at: now),
            ActivityEntry(actorName: "Olga", action: .roleChanged, subjectName: "Vic", detail: "Viewer → Admin", at: now),
            ActivityEntry(actorName: "Olga", action: .invited, detail: "new@example.com as Viewer", at: now),
            ActivityEntry(actorName: "Vic", action: .left, detail: "was Admin", at: now),
            ActivityEntry(actorName: "Olga", action: .renamed, detail: "Old → New", at: now),
            ActivityEntry(actorName: "Olga", action: .joined, detail: "as Something a later version wrote", at: now),
        ]
        func page(_ acceptLanguage: String) -> String {
            let language = PageLanguage(
                translations: testTranslations, returnPath: { "/organisations/3" }, cookie: nil, acceptLanguage: acceptLanguage)
            return PageLanguage.$current.withValue(language) {
                PortalActivity.organisation(ActivityPage(entries: entries, older: nil, newer: nil), path: "/organisations/3").rendered
            }
        }
        let english = page("en")
        #expect(english.contains("<td class=\"detail\">as Developer</td>") && english.contains("<td class=\"detail\">Viewer → Admin</td>"))
        let spanish = page("es")
        #expect(spanish.contains("<td class=\"detail\">como Desarrollador</td>"), "\(spanish)")
        #expect(spanish.contains("<td class=\"detail\">Lector → Administrador</td>"))
        #expect(spanish.contains("<td class=\"detail\">new@example.com como Lector</td>"))
        #expect(spanish.contains("<td class=\"detail\">era Administrador</td>"))
        // Data, and what this version does not recognise, stay as stored.
        #expect(spanish.contains("<td class=\"detail\">Old → New</td>"))
        #expect(spanish.contains("<td class=\"detail\">as Something a later version wrote</td>"))
        let arabic = page("ar")
        #expect(arabic.contains("<td class=\"detail\">بصفة \(rendered(OrganisationRole.developer.name, in: "ar"))</td>"))
        #expect(arabic.contains("<td class=\"detail\">مُطّلِع ← \(rendered(OrganisationRole.admin.name, in: "ar"))</td>"))
        #expect(!arabic.contains("as Developer") && !arabic.contains("Viewer → Admin"))
    }

    @Test func aSignInSettingsFieldProblemNamesTheFieldByItsLabel() {
        let language = PageLanguage(translations: testTranslations, returnPath: { "/school/sign-in" }, cookie: nil, acceptLanguage: "es")
        PageLanguage.$current.withValue(language) {
            #expect(SchoolSignInRoutes.fieldLabel("client_secret") == L("signin_settings.client_secret"))
            #expect(SchoolSignInRoutes.fieldLabel("name_id_format") == L("signin_settings.nameid"))
            #expect(DirectorySignInRoutes.fieldLabel("bind_dn") == L("directory.field.bind_dn"))
            #expect(DirectorySignInRoutes.fieldLabel("bind_dn") != "bind_dn")
            // A field the form has no short label for keeps its form name.
            #expect(DirectorySignInRoutes.fieldLabel("base_dn") == "base_dn")
            #expect(SchoolSignInRoutes.fieldLabel("metadata") == "metadata")
        }
    }

    @Test func aMessagesNumbersAreWrittenInThePagesDigits() {
        let message = RosterProblem(file: "users.csv", line: 1204, column: nil, message: "x").located
        #expect(rendered(message, in: "en") == "users.csv line 1,204: x")
        #expect(rendered(message, in: "ar").contains("١٬٢٠٤"))
        #expect(
            rendered(Message("roster.summary.users", "", numbers: ["created": 3, "updated": 0, "unchanged": 12, "deactivated": 1]), in: "ar")
                .contains("١٢"))
    }
}

/// `message` as a page in `language` writes it.
private func rendered(_ message: Message, in language: String) -> String {
    let page = PageLanguage(translations: testTranslations, returnPath: { "/" }, cookie: nil, acceptLanguage: language)
    return PageLanguage.$current.withValue(page) { L(message) }
}
