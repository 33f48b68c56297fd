import Crypto
import Domain
import Foundation
import Testing

/// The sign-up form of the developer portal, as a table of inputs and the fields they fail.
@Suite struct DeveloperSignUpFormTests {
    private static func form(
        name: String = "Ana Developer", email: String = "Ana@Example.org", company: String = "", password: String = "long enough passphrase",
        confirmation: String? = nil, terms: Bool = true
    ) -> DeveloperSignUpForm {
        DeveloperSignUpForm(
            name: name, email: email, company: company, password: password, confirmation: confirmation ?? password, acceptedTerms: terms)
    }

    @Test func aCompleteFormGivesTheTrimmedLowerCasedValues() throws {
        let valid = try Self.form(name: "  Ana  ", company: " Study Buddy ").validate().get()
        #expect(valid.name == "Ana")
        #expect(valid.email == "ana@example.org")
        #expect(valid.company == "Study Buddy")
        #expect(try Self.form().validate().get().company == nil)
    }

    @Test(arguments: [
        (form(name: "   "), ["name"]),
        (form(name: String(repeating: "a", count: 101)), ["name"]),
        (form(name: "Ana\u{0}"), ["name"]),
        (form(email: "ana"), ["email"]),
        (form(email: "ana@localhost"), ["email"]),
        (form(email: "a na@example.org"), ["email"]),
        (form(email: "@example.org"), ["email"]),
        (form(email: "ana@example.org."), ["email"]),
        (form(company: String(repeating: "c", count: 101)), ["company"]),
        (form(password: "short"), ["password"]),
        (form(confirmation: "something else entirely"), ["password"]),
        (form(email: "long.enough@example.org", password: "LONG.ENOUGH@example.org"), ["password"]),
        (form(terms: false), ["terms"]),
        (form(name: "", email: "x", password: "x", terms: false), ["email", "name", "password", "terms"]),
    ])
    func problemsAreReportedByField(form: DeveloperSignUpForm, fields: [String]) {
        guard case .failure(let errors) = form.validate() else {
            Issue.record("expected problems with \(fields)")
            return
        }
        #expect(errors.messages.keys.sorted() == fields)
    }
}

/// The ticket between the password step and the TOTP step of a sign-in.
@Suite struct SecondFactorTicketTests {
    private let key = SymmetricKey(data: Array(repeating: UInt8(3), count: 32))

    @Test func aFreshTicketNamesItsDeveloperUntilItExpires() {
        let ticket = SecondFactorTicket.issue(for: DeveloperID(42), now: 1_000, key: key)
        #expect(SecondFactorTicket.verify(ticket, now: 1_000, key: key) == DeveloperID(42))
        #expect(SecondFactorTicket.verify(ticket, now: 1_000 + SecondFactorTicket.lifetime - 1, key: key) == DeveloperID(42))
        #expect(SecondFactorTicket.verify(ticket, now: 1_000 + SecondFactorTicket.lifetime, key: key) == nil)
    }

    @Test func aChangedIdExpiryOrKeyIsRefused() {
        let ticket = SecondFactorTicket.issue(for: DeveloperID(42), now: 1_000, key: key)
        let parts = ticket.split(separator: ".").map(String.init)
        #expect(SecondFactorTicket.verify(["43", parts[1], parts[2]].joined(separator: "."), now: 1_000, key: key) == nil)
        #expect(SecondFactorTicket.verify([parts[0], "999999999", parts[2]].joined(separator: "."), now: 1_000, key: key) == nil)
        let other = SymmetricKey(data: Array(repeating: UInt8(4), count: 32))
        #expect(SecondFactorTicket.verify(ticket, now: 1_000, key: other) == nil)
    }

    @Test(arguments: ["", "42", "42.2000", "x.2000.abc", "42.2000.abc.def", "-1.2000.abc", "0.2000.abc"])
    func malformedTicketsAreRefused(ticket: String) {
        #expect(SecondFactorTicket.verify(ticket, now: 1_000, key: key) == nil)
    }
}

/// Keys derived from the key files: one purpose, one key.
@Suite struct DerivedKeyTests {
    private func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func everyPurposeGetsItsOwnKey() {
        let secret = Array(repeating: UInt8(1), count: 32)
        let portal = DeveloperKeyMaterial(secret: secret)
        let credentials = CredentialKeyMaterial(secret: secret)
        let oauth = OAuthKeyMaterial(secret: secret, credentials: credentials)
        let keys = [
            portal.totpSealingKey, portal.webhookSealingKey, portal.secondFactorTicketKey, credentials.clientSecretKey, credentials.apiKeyKey,
            oauth.sealingKey,
        ].map(bytes)
        #expect(Set(keys).count == keys.count)
        #expect(keys.allSatisfy { $0.count == 32 && $0 != secret })
    }

    @Test func theAppSiteChecksClientSecretsWithTheKeyThePortalDigestsThemWith() {
        let credentials = CredentialKeyMaterial(secret: Array(repeating: UInt8(5), count: 32))
        let oauth = OAuthKeyMaterial(secret: Array(repeating: UInt8(6), count: 32), credentials: credentials)
        #expect(bytes(oauth.clientSecretKey) == bytes(credentials.clientSecretKey))
    }

    @Test func aSealedSeedOpensOnlyForItsOwnAccount() throws {
        let key = DeveloperKeyMaterial(secret: Array(repeating: UInt8(2), count: 32)).totpSealingKey
        var generator = SystemRandomNumberGenerator()
        let seed: [UInt8] = Array(repeating: 9, count: 20)
        let sealed = try KeySealing.seal(seed, key: key, associatedData: DeveloperKeyMaterial.totpAssociatedData(DeveloperID(1)), using: &generator)
        #expect(try KeySealing.open(sealed, key: key, associatedData: DeveloperKeyMaterial.totpAssociatedData(DeveloperID(1))) == seed)
        #expect(throws: SigningKeyError.sealedKeyRejected) {
            try KeySealing.open(sealed, key: key, associatedData: DeveloperKeyMaterial.totpAssociatedData(DeveloperID(2)))
        }
    }
}

/// Field lengths are counted as MariaDB counts them (Unicode scalars), so a valid form always fits its column.
@Suite struct FieldLengthTests {
    private func form(name: String = "Study Buddy", description: String = "") -> ApplicationForm {
        ApplicationForm(
            name: name, description: description, homepageURL: "", privacyPolicyURL: "", termsURL: "", redirectURIs: "", scopes: [],
            clientType: "confidential")
    }

    @Test func browserLineBreaksBecomeLineFeedsAndCountOnce() throws {
        let typed = String(repeating: "a\r\n", count: 999) + "b"  // 2999 scalars as typed, 1999 after normalising
        let draft = try form(description: typed).validate().get()
        #expect(!draft.description.contains("\r"))
        #expect(draft.description.unicodeScalars.count == 1999)
    }

    @Test func charactersMadeOfSeveralScalarsCountEachScalar() {
        let flags = String(repeating: "🇳🇿", count: 41)  // 41 characters, 82 scalars
        #expect(flags.count <= ApplicationForm.maximumNameLength)
        guard case .failure(let errors) = form(name: flags).validate() else {
            Issue.record("82 scalars must not fit an 80-character name")
            return
        }
        #expect(errors["name"] != nil)
        guard
            case .failure = SupportTicketForm(subject: String(repeating: "🇳🇿", count: 61), category: "other", application: "", message: "Hi")
                .validate()
        else {
            Issue.record("122 scalars must not fit a 120-character subject")
            return
        }
    }
}
