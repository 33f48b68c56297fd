import Crypto
import Domain
import Foundation
import Testing

/// Each rule answers with its stable message code (``Message/key``), its arguments and its English text: the pages
/// render the code through the catalogues, so a rewording of the English never changes which translation is shown.
@Suite struct MessageCodeTests {
    @Test func theTeachersFormsYieldTheirCodes() {
        guard case .failure(let errors) = SchoolworkForms.assessment(title: " ", maxScore: "0", dueDate: "2026-13-01") else {
            Issue.record("accepted")
            return
        }
        #expect(errors["title"]?.key == "schoolwork.error.title")
        #expect(errors["max_score"]?.key == "schoolwork.error.max_score" && errors["max_score"]?.arguments == ["max": "1000"])
        #expect(errors["due_date"]?.key == "schoolwork.error.due_date")
        #expect(errors.messages["title"] == "Give the assessment a title.")

        guard case .failure(let long) = SchoolworkForms.assessment(title: String(repeating: "x", count: 201), maxScore: "5", dueDate: "") else {
            Issue.record("accepted")
            return
        }
        #expect(long["title"] == Message("portal.error.max", count: 200, "Use at most 200 characters."))

        let rows = [SchoolworkForms.GradeInput(studentID: UserID(7), score: "", comment: "well done")]
        guard case .failure(let grades) = SchoolworkForms.gradeSheet(rows, maxScore: Score(hundredths: 1000)) else {
            Issue.record("accepted")
            return
        }
        #expect(grades["score-7"]?.key == "schoolwork.error.score_for_comment")

        let marks = [SchoolworkForms.AttendanceInput(studentID: UserID(8), status: "asleep", note: "")]
        guard case .failure(let attendance) = SchoolworkForms.attendanceSheet(marks) else {
            Issue.record("accepted")
            return
        }
        #expect(attendance["status-8"]?.key == "schoolwork.error.status")

        let today = CalendarDate("2026-03-02")!
        guard case .failure(let future) = SchoolworkForms.attendanceDay("2026-03-09", today: today) else {
            Issue.record("accepted")
            return
        }
        #expect(future.problem.key == "schoolwork.error.future_day" && future.problem.arguments["today"] == "2026-03-02")
    }

    @Test(
        arguments: [
            ("short", "short", "portal.error.min", 10),
            (String(repeating: "é", count: 600), String(repeating: "é", count: 600), "portal.error.max_bytes", 1024),
            ("long enough words", "other words here", "portal.error.mismatch", nil),
            ("ada@school.test", "ada@school.test", "portal.error.password_is_name", nil),
        ] as [(String, String, String, Int?)])
    func eachPasswordRuleYieldsItsCode(password: String, confirmation: String, key: String, count: Int?) throws {
        let problem = try #require(PasswordRules.problem(with: password, confirmation: confirmation, identifiers: ["ada@school.test"]))
        #expect(problem.key == key && problem.count == count)
    }

    @Test func thePortalsFormsYieldTheirCodes() {
        let signUp = DeveloperSignUpForm(name: "", email: "no", company: "", password: "short", confirmation: "short", acceptedTerms: false)
        guard case .failure(let errors) = signUp.validate() else {
            Issue.record("accepted")
            return
        }
        #expect(
            errors.problems.mapValues(\.key) == [
                "name": "portal.error.name", "email": "portal.msg.team.email", "password": "portal.error.min", "terms": "portal.error.terms",
            ])

        let ticket = SupportTicketForm(subject: "", category: "weather", application: "x", message: " ")
        guard case .failure(let ticketErrors) = ticket.validate() else {
            Issue.record("accepted")
            return
        }
        #expect(
            ticketErrors.problems.mapValues(\.key) == [
                "subject": "portal.error.subject", "category": "portal.error.category", "application": "portal.msg.choose_app",
                "message": "portal.error.message",
            ])
        #expect(SupportTicketCategory.security.label.key == "portal.support.category.security")

        let app = ApplicationForm(
            name: "", description: "", homepageURL: "http://plain.example", privacyPolicyURL: "", termsURL: "",
            redirectURIs: "https://app.example/cb#frag", scopes: ["no.such.scope"], clientType: "")
        guard case .failure(let appErrors) = app.validate() else {
            Issue.record("accepted")
            return
        }
        #expect(appErrors["name"]?.key == "app.error.name")
        #expect(appErrors["homepage_url"]?.key == "url.error.https")
        #expect(appErrors["scopes"] == Message("app.error.unknown_scope", "Unknown scope: no.such.scope.", ["scope": "no.such.scope"]))
        #expect(appErrors["client_type"]?.key == "app.error.client_type")
        let redirect = appErrors["redirect_uris"]
        #expect(redirect?.key == "app.error.redirect_uri" && redirect?.nested["problem"]?.key == "url.error.fragment")
        #expect(redirect?.english == "https://app.example/cb#frag: Remove the #fragment from the address.")
    }

    @Test func erasureRefusalsYieldTheirCodes() {
        let admin = UserID(1)
        #expect(ErasureRules.mayRequest(by: admin, subject: admin, role: .teacher, open: nil)?.problem.key == "erasure.refusal.yourself")
        #expect(
            ErasureRules.mayRequest(by: admin, subject: UserID(2), role: .platformAdmin, open: nil)?.problem.key == "erasure.refusal.not_erasable")
        let refusal = ErasureRefusal(.alreadyOpen(.scheduled, runsAfter: Date(timeIntervalSince1970: 1_780_000_000)))
        // The day is a date placeholder, written by each page in its language; the English keeps today's text.
        #expect(refusal.problem.key == "erasure.refusal.scheduled" && refusal.problem.arguments["day"] == nil)
        #expect(refusal.problem.dates == ["day": Date(timeIntervalSince1970: 1_780_000_000)])
        #expect(
            refusal.message
                == "An erasure of this person is already scheduled (it runs after 28 May 2026, 20:26 UTC). Cancel it first to start again.")
        #expect(refusal.message == refusal.problem.english)
    }

    @Test func aMessageCarriesDatesApartFromItsTextArguments() {
        let day = Date(timeIntervalSince1970: 1_780_000_000)
        let message = Message("erasure.refusal.scheduled", "runs after then", ["name": "Ada"], dates: ["day": day])
        #expect(message.dates == ["day": day] && message.arguments == ["name": "Ada"] && message.nested.isEmpty)
        #expect(message != Message("erasure.refusal.scheduled", "runs after then", ["name": "Ada"], dates: ["day": day.addingTimeInterval(86400)]))
        #expect(Message("portal.error.max", count: 3, "Use at most 3 characters.").dates.isEmpty)
        #expect(Message(verbatim: "as it is").dates.isEmpty)
    }

    @Test func signInSettingsProblemsYieldTheirCodesAndKeepTheirEnglish() throws {
        guard case .failure(let uri) = DirectoryEndpoint.parse("https://dc1", allowPlain: false) else {
            Issue.record("accepted")
            return
        }
        #expect(uri.problem == Message("directory.problem.uri_scheme", "https://dc1 must start with ldaps:// or ldap://", ["uri": "https://dc1"]))
        guard case .failure(let pem) = PEMCertificates.normalized("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n") else {
            Issue.record("accepted")
            return
        }
        #expect(pem.problem.key == "directory.problem.ca_other_block" && pem.problem.arguments == ["line": "1", "kind": "RSA PRIVATE KEY"])
        #expect(pem.message == "line 1: a RSA PRIVATE KEY block: paste only CA certificates (never a private key)")

        var saml = SAMLProviderSettings()
        saml.slug = "idp"
        saml.name = "IdP"
        saml.signing = "sometimes"
        #expect(throws: UpstreamProviderSettings.Problem("signing", Message("saml.problem.signing", "choose either, assertion, response or both"))) {
            try saml.validated(school: SchoolID(1))
        }

        var generator = SystemRandomNumberGenerator()
        var oidc = UpstreamProviderSettings()
        oidc.slug = "op"
        oidc.name = "OP"
        oidc.clientID = "client"
        oidc.clientSecret = "secret"
        oidc.issuer = "http://op.example"
        do {
            _ = try oidc.validated(school: SchoolID(1), key: SymmetricKey(size: .bits256), allowLoopbackHTTP: false, using: &generator)
            Issue.record("accepted")
        } catch {
            #expect(error.field == "issuer" && error.problem.key == "signin_settings.problem.url")
            #expect(error.problem.arguments == ["suffix": "/.well-known/openid-configuration"])
            #expect(error.message == "enter the provider's https URL (its discovery document is that URL + /.well-known/openid-configuration)")
            #expect(error.description == "issuer: " + error.message)
        }
        oidc.issuer = "https://op.example"
        oidc.kind = "entra"
        do {
            _ = try oidc.validated(school: SchoolID(1), key: SymmetricKey(size: .bits256), allowLoopbackHTTP: false, using: &generator)
            Issue.record("accepted")
        } catch {
            #expect(error.field == "tenants" && error.problem.key == "signin_settings.problem.tenants")
            #expect(error.message == "enter one to 20 tenant ids, separated by commas")
        }

        guard
            case .failure(let discovery) = OpenIDProviderMetadata.parse(
                Array(#"{"issuer":"https://op.example"}"#.utf8), expectedIssuer: "https://op.example")
        else {
            Issue.record("accepted")
            return
        }
        #expect(
            discovery.problem
                == Message(
                    "signin_settings.problem.discovery.endpoint", "authorization_endpoint is missing or not an https URL",
                    ["name": "authorization_endpoint"]))
    }

    @Test func keySetProblemsYieldTheirCodesAndKeepTheirJOSEDetails() {
        func problem(_ document: String) -> Message? {
            do {
                _ = try ClientKeySet(document: document)
                return nil
            } catch {
                return error.problem
            }
        }
        #expect(problem(#"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#)?.key == "app.error.jwks.private_key")
        #expect(
            problem(#"{"keys":[]}"#)
                == Message("app.error.jwks.no_usable_key", "The key set has no usable signing key: use RSA keys of 2048 bits or more or P-256 keys."))
        let skipped = problem(#"{"keys":[{"kty":"OKP","kid":"ed"}]}"#)
        #expect(skipped?.key == "app.error.jwks.no_usable_key_detail" && skipped?.arguments == ["detail": "ed: key type OKP is not used"])
        #expect(
            skipped?.english
                == "The key set has no usable signing key: use RSA keys of 2048 bits or more or P-256 keys (ed: key type OKP is not used).")
        #expect(problem(#"{"kty":"EC"}"#)?.key == "app.error.jwks.no_keys_array")
        #expect(problem("not json")?.key == "app.error.jwks.not_json")
        guard
            case .failure(let errors) = ApplicationClientAuthentication.validate(
                method: ClientKeyRegistration.methodName, jwks: "", jwksURI: "http://keys.example/jwks", requirePAR: false, clientType: .confidential)
        else {
            Issue.record("accepted")
            return
        }
        #expect(errors["jwks_uri"]?.key == "app.error.jwks.uri" && errors["jwks_uri"]?.arguments == ["max": "2000"])
    }

    @Test func theAuthorizationPagesRefusalsCarryAMessageForThePerson() {
        let parameters = OAuthParameters(pairs: [("response_type", "code"), ("client_id", "nobody"), ("redirect_uri", "https://x.example/cb")])
        guard case .failure(.showPage(let unknown)) = AuthorizationChecks.validate(parameters, client: nil) else {
            Issue.record("not a page")
            return
        }
        // The developer's description stays English ASCII (RFC 6749 §4.1.2.1); the person gets a code.
        #expect(unknown.description == "Unknown client." && unknown.personMessage?.key == "authorize.page.unknown_client")
        let other = OAuthParameters(pairs: [("response_type", "code"), ("client_id", OAuthFixtures.multiClient.clientID.rawValue)])
        guard case .failure(.showPage(let missing)) = AuthorizationChecks.validate(other, client: OAuthFixtures.multiClient) else {
            Issue.record("not a page")
            return
        }
        #expect(missing.personMessage?.key == "authorize.page.redirect_uri")
    }

    @Test func arabicIsWrittenWithArabicIndicDigitsAndOtherLanguagesAreNot() {
        #expect(LocaleFormatting.number(1234, language: "ar") == "١٬٢٣٤")
        #expect(LocaleFormatting.number(7, language: "ar-EG") == "٧")
        #expect(LocaleFormatting.number(1234, language: "ar-MA").allSatisfy { !("\u{660}"..."\u{669}").contains($0) })
        #expect(LocaleFormatting.number(1234, language: "en") == "1,234")
        let date = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28 20:26 UTC
        let utc = TimeZone(identifier: "UTC")!
        let arabic = LocaleFormatting.date(date, language: "ar", timeZone: utc, time: true)
        #expect(arabic.contains("٢٠٢٦") && arabic.contains("٢٨") && !arabic.contains { $0.isASCII && $0.isNumber }, "\(arabic)")
        #expect(LocaleFormatting.date(date, language: "fr", timeZone: utc).contains("2026"))
    }
}
