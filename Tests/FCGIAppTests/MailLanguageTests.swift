import Domain
import Foundation
import Testing

@testable import FCGIApp
@testable import StoreTwins

/// Every mail in its recipient's language (issue 22): the order of choice (``MailLanguage``), a Spanish recipient
/// getting each kind of mail in Spanish, and the routes that send them to a school user.
@Suite struct MailLanguageTests {
    let app = TestApp()
    let password = "correct horse battery staple"
    let student: UserAccount

    init() throws {
        _ = testTranslations
        student = app.memory.addUser(role: .student, email: "ada@school.test", username: "ada", hash: try testHasher.hash(password))
    }

    @Test func aSchoolUsersMailFollowsTheirLanguageThenTheSchoolsThenTheRequestsThenEnglish() throws {
        #expect(MailLanguage.of(user: student.id, languages: app.languages, fallback: nil) == "en")
        #expect(MailLanguage.of(user: student.id, languages: app.languages, fallback: "fr-CA") == "fr")
        #expect(MailLanguage.of(user: student.id, languages: app.languages, fallback: "de") == "en")
        app.languages.setSchoolDefault("ar", for: student.id)
        #expect(MailLanguage.of(user: student.id, languages: app.languages, fallback: "fr") == "ar")
        try app.languages.setLanguage("es", of: student.id)
        #expect(MailLanguage.of(user: student.id, languages: app.languages, fallback: "fr") == "es")
    }

    @Test func renderingBindsTheLanguageOutsideARequestAndEnglishIsTheFallback() {
        #expect(MailLanguage.rendering(in: "es") { L("mail.hello", ["name": "Ada"]) } == "Hola, Ada:")
        #expect(MailLanguage.rendering(in: "xx") { L("mail.hello", ["name": "Ada"]) } == "Hello Ada,")
        #expect(MailLanguage.rendering(in: nil) { MailText.validity(3 * 86400) } == "3 days")
        #expect(MailLanguage.rendering(in: "ar") { MailText.validity(7200) } == "ساعتين")
        #expect(MailLanguage.rendering(in: "fr") { MailText.validity(1800) } == "30 minutes")
    }

    @Test func eachKindOfMailIsInSpanishForASpanishRecipient() throws {
        let link = "https://example.test/l"
        let school = PasswordLinks.message(purpose: .reset, name: "Ada", link: link, lifetime: 1800, language: "es")
        #expect(school.0 == "Restablece tu contraseña de CatalystWells" && school.1.contains("en un plazo de 30 minutos"))
        let set = PasswordLinks.message(purpose: .set, name: "Ada", link: link, lifetime: 7 * 86400, language: "es")
        #expect(set.0 == "Tu cuenta de CatalystWells está lista" && set.1.contains("7 días") && set.1.contains(link))
        let admin = app.memory.addUser(role: .schoolAdmin, email: "grace@school.test", hash: nil)
        let notice = PasswordResets.notice(to: student, by: admin, temporary: true, mustChange: true, language: "es")
        #expect(notice.0 == "Se ha restablecido tu contraseña de CatalystWells" && notice.1.contains("contraseña temporal"))
        #expect(notice.1.contains("una contraseña propia"))
        let verify = PortalMail.linkMessage(.verifyEmail, name: "Lin", link: link, lifetime: 86400, language: "es")
        #expect(verify.subject == "Confirma tu cuenta de desarrollador de CatalystWells" && verify.text.contains("1 día"))
        let reset = PortalMail.linkMessage(.resetPassword, name: "Lin", link: link, lifetime: 1800, language: "es")
        #expect(reset.subject == "Restablece tu contraseña de desarrollador de CatalystWells")
        let approved = ReviewMail.application(.approved, name: "Helper", language: "es")
        #expect(approved.subject == "Helper está aprobada")
        let rejected = ReviewMail.application(.changeRejected(reason: "Falta la política."), name: "Helper", language: "es")
        #expect(rejected.text.contains("no se ha aprobado") && rejected.text.contains("Falta la política."))
        let suspended = try #require(
            ReviewMail.account(.notifySuspended(reason: "Spam"), name: "Lin", developersURL: "https://d.test", language: "es"))
        #expect(suspended.subject == "Tu cuenta de desarrollador está suspendida" && suspended.text.hasPrefix("Hola, Lin:"))
        let reply = ReviewMail.ticketReply(developerName: "Lin", subject: "Ayuda", body: "Hecho.", link: link, language: "es")
        #expect(reply.subject == "Re: Ayuda" && reply.text.contains("El soporte de CatalystWells ha respondido"))
        let outbox = MailOutbox()
        try WebhookMail.endpointDisabled(
            DisabledWebhookEndpoint(
                endpoint: WebhookEndpointID(1), application: ApplicationID(2), url: "https://hook.test", applicationName: "Helper",
                developerEmail: "lin@example.test", developerName: "Lin", reason: "Too many failures."),
            developersURL: "https://d.test/", mailer: outbox, language: "es")
        let webhook = try #require(outbox.messages.first)
        #expect(webhook.subject == "Se ha desactivado un endpoint de webhook de Helper" && webhook.body.contains("https://d.test/apps/2/webhooks/1"))
    }

    @Test func theForgottenPasswordMailIsInTheSavedLanguageWhateverThePagesLanguage() throws {
        try app.languages.setLanguage("es", of: student.id)
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/password/forgot", headers: ["HTTP_ACCEPT_LANGUAGE": "fr"])
        _ = browser.send(
            "POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page)!), ("email", "ada@school.test")],
            headers: ["HTTP_ACCEPT_LANGUAGE": "fr"])
        let mail = try #require(app.outbox.messages.first)
        #expect(mail.subject == "Restablece tu contraseña de CatalystWells" && mail.body.hasPrefix("Hola, Test:"))
    }

    @Test func withoutASavedLanguageTheMailIsInTheLanguageOfTheRequestThatCausedIt() throws {
        var browser = TestBrowser(responder: app.responder())
        let page = browser.send("GET", "/password/forgot")
        _ = browser.send(
            "POST", "/password/forgot", form: [("csrf", TestBrowser.csrf(in: page)!), ("email", "ada@school.test")],
            headers: ["HTTP_ACCEPT_LANGUAGE": "fr-FR, en;q=0.5"])
        let mail = try #require(app.outbox.messages.first)
        #expect(mail.subject == "Réinitialisez votre mot de passe CatalystWells")
    }

    @Test func thePortalsFormErrorsAreShownInThePagesLanguageAndUnknownOnesAsTheyAre() {
        MailLanguage.rendering(in: "es") {
            #expect(PortalErrors.text("Use at most 200 characters on one line.") == "Usa como máximo 200 caracteres en una sola línea.")
            #expect(PortalErrors.text("Write a message.") == "Escribe un mensaje.")
            #expect(PortalErrors.text("Something new.") == "Something new.")
        }
        MailLanguage.rendering(in: "ar") { #expect(PortalErrors.text("Use at least 2 characters.") == "استخدم حرفين على الأقل.") }
        #expect(MailLanguage.rendering(in: "en") { PortalErrors.text("Write a message.") } == "Write a message.")
    }
}
