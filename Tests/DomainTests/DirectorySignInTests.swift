import Crypto
import Domain
import Foundation
import Testing

@testable import StoreTwins

/// Sign-in against a school's directory (issue 15): RFC 4515 escaping, the endpoints' TLS rule, the settings' rules
/// and the sign-in's order (refusals before the directory is asked, one entry or nobody, a disabled entry before its
/// password, the link to the roster), over a scripted directory.
@Suite struct DirectorySignInTests {
    // MARK: RFC 4515 escaping

    @Test(arguments: [
        ("ada", "ada"),
        ("*", "\\2a"),
        ("(", "\\28"),
        (")", "\\29"),
        ("\\", "\\5c"),
        ("\u{0}", "\\00"),
        ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),
        ("\\00", "\\5c00"),
        ("a\u{7F}b\n", "a\\7fb\\0a"),
        ("é", "\\c3\\a9"),
        ("😀", "\\f0\\9f\\98\\80"),
        ("o'brien (jr)", "o'brien \\28jr\\29"),
    ])
    func theTypedNameIsEscapedAsRFC4515Says(name: String, escaped: String) {
        #expect(LDAPFilterTemplate.escape(name) == escaped)
    }

    @Test func escapingLeavesNoByteThatCouldEndTheValue() {
        let hostile = "*)(|(objectClass=*))(\u{0}\\" + String(repeating: "é", count: 5000)
        let escaped = LDAPFilterTemplate.escape(hostile)
        #expect(escaped.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") })
        // Every backslash starts a two-hex-digit escape.
        let bytes = Array(escaped.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                #expect(
                    index + 2 < bytes.count + 1
                        && bytes[index + 1...index + 2].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
                index += 3
            } else {
                index += 1
            }
        }
    }

    @Test func aTemplateIsOneBalancedFilterWithThePlaceholder() throws {
        let ad = try #require(LDAPFilterTemplate("(&(objectClass=user)(sAMAccountName={name}))"))
        #expect(ad.filter(for: "*)(uid=*") == "(&(objectClass=user)(sAMAccountName=\\2a\\29\\28uid=\\2a))")
        #expect(LDAPFilterTemplate("(|(uid={name})(mail={name}))")?.filter(for: "a") == "(|(uid=a)(mail=a))")
        for bad in [
            "uid={name}", "(uid=ada)", "(uid={name})(cn=x)", "((uid={name})", "(uid={name}))", ")uid={name}(", "(uid={name}\n)", "",
            "(" + String(repeating: "a", count: 1030) + "{name})",
        ] {
            #expect(LDAPFilterTemplate(bad) == nil, "\(bad.prefix(40))")
        }
    }

    // MARK: Endpoints

    @Test func onlyTLSUnlessPlainIsAllowedAndTheServerIsLocal() throws {
        func parse(_ text: String, plain: Bool = false) -> DirectoryEndpoint? { try? DirectoryEndpoint.parse(text, allowPlain: plain).get() }
        #expect(parse("ldaps://DC1.School.example") == DirectoryEndpoint.parse("ldaps://dc1.school.example", allowPlain: false).ok)
        #expect(parse("ldaps://dc1.school.example:636/")?.security == .ldaps)
        #expect(parse("ldaps://dc1.school.example:636/")?.uri == "ldaps://dc1.school.example:636")
        #expect(parse("ldap://dc1.school.example")?.security == .startTLS)
        #expect(parse("ldap://dc1.school.example", plain: true)?.security == .startTLS, "plain only to loopback")
        #expect(parse("ldap://127.0.0.1:389")?.security == .startTLS, "plain only when allowed")
        #expect(parse("ldap://127.0.0.1:389", plain: true)?.security == .plain)
        #expect(parse("ldap://localhost", plain: true)?.security == .plain)
        #expect(parse("ldap://[::1]:389", plain: true)?.security == .plain)
        #expect(parse("ldap://127.0.0.1.evil.example", plain: true)?.security == .startTLS)
        #expect(parse("ldapi:///", plain: true)?.security == .plain)
        #expect(parse("ldapi:///") == nil)
        for bad in [
            "http://dc1", "ldaps://", "ldaps://dc1:0", "ldaps://dc1:70000", "ldaps://dc1/dc=school,dc=example", "ldaps://user@dc1",
            "ldaps://dc1 x", "ldaps://dc1?x", "ldap:// dc1", "ldaps://[::1",
        ] {
            #expect(parse(bad, plain: true) == nil, "\(bad)")
        }
    }

    // MARK: Settings

    let key = SymmetricKey(size: .bits256)
    let school = SchoolID(1)

    func settings(_ change: (inout SignInDirectorySettings) -> Void = { _ in }) -> SignInDirectorySettings {
        var settings = SignInDirectorySettings()
        settings.name = "District AD"
        settings.uris = "ldaps://dc1.school.example, ldaps://dc2.school.example"
        settings.bindDN = "cn=reader,ou=services,dc=school,dc=example"
        settings.bindPassword = "s3rvice password"
        settings.baseDN = "ou=people,dc=school,dc=example"
        settings.filter = "(&(objectClass=user)(sAMAccountName={name}))"
        settings.linkRule = "sourced-id"
        settings.linkAttribute = "employeeID"
        settings.disabledCheck = "active-directory"
        change(&settings)
        return settings
    }

    func validated(_ settings: SignInDirectorySettings, existing: SignInDirectory? = nil) throws(UpstreamProviderSettings.Problem)
        -> SignInDirectory
    {
        var generator = SystemRandomNumberGenerator()
        return try settings.validated(school: school, key: key, existing: existing, using: &generator)
    }

    @Test func validSettingsAreStoredWithTheServicePasswordSealed() throws {
        let directory = try validated(settings())
        #expect(directory.endpoints.map(\.uri) == ["ldaps://dc1.school.example", "ldaps://dc2.school.example"])
        #expect(directory.linkRule == .sourcedID(claim: "employeeID") && directory.disabledCheck == .activeDirectory)
        #expect(directory.requestedAttributes == ["employeeID", "userAccountControl"])
        #expect(!directory.sealedBindPassword.isEmpty && !String(decoding: directory.sealedBindPassword, as: UTF8.self).contains("s3rvice"))
        #expect(try DirectoryBindPassword.open(directory.sealedBindPassword, school: school, key: key).value == "s3rvice password")
        #expect(throws: (any Error).self, "another school's row does not open it") {
            try DirectoryBindPassword.open(directory.sealedBindPassword, school: SchoolID(2), key: key)
        }
        #expect("\(try DirectoryBindPassword.open(directory.sealedBindPassword, school: school, key: key))" == "<redacted>")
        // An update without a password keeps the sealed one; a new directory needs one.
        #expect(try validated(settings { $0.bindPassword = "" }, existing: directory).sealedBindPassword == directory.sealedBindPassword)
        #expect(
            throws: UpstreamProviderSettings.Problem(
                "bind_password", Message("directory.problem.bind_password_missing", "enter the service account's password"))
        ) {
            try validated(settings { $0.bindPassword = "" })
        }
        #expect(
            try validated(
                settings {
                    $0.linkRule = "email"; $0.linkAttribute = ""
                }
            ).linkAttribute == "mail")
    }

    @Test func badSettingsNameTheirField() throws {
        let cases: [(field: String, change: (inout SignInDirectorySettings) -> Void)] = [
            ("uris", { $0.uris = "" }),
            ("uris", { $0.uris = "ldaps://a ldaps://b ldaps://c ldaps://d" }),
            ("uris", { $0.uris = "ldapi:///" }),
            ("uris", { $0.uris = "https://dc1" }),
            ("name", { $0.name = " " }),
            ("ca_certificates", { $0.caCertificates = "/etc/ssl/certs/school-ca.pem" }),
            ("bind_dn", { $0.bindDN = "" }),
            ("bind_dn", { $0.bindDN = "cn=x\n" }),
            ("base_dn", { $0.baseDN = "people" }),
            ("filter", { $0.filter = "(uid=ada)" }),
            ("link_attribute", { $0.linkAttribute = "mail;binary" }),
            ("link_attribute", { $0.linkAttribute = "" }),
            ("link_rule", { $0.linkRule = "guess" }),
            ("disabled_check", { $0.disabledCheck = "maybe" }),
        ]
        for (field, change) in cases {
            do {
                _ = try validated(settings(change))
                Issue.record("accepted: \(field)")
            } catch {
                #expect(error.field == field, "\(error)")
            }
        }
        // Plain LDAP to loopback without "allow plain" is not refused: it is StartTLS.
        #expect(try validated(settings { $0.uris = "ldap://127.0.0.1" }).endpoints.map(\.security) == [.startTLS])
        #expect(
            try validated(
                settings {
                    $0.uris = "ldap://127.0.0.1"; $0.allowPlain = true
                }
            ).endpoints.map(\.security) == [.plain])
    }

    // MARK: Signing in

    struct Fixture {
        let accounts = MemoryAccounts()
        let upstream: MemoryUpstreamStore
        let directory = ScriptedDirectory()
        let ada: UserAccount
        let settings: SignInDirectory

        init(check: DirectoryDisabledCheck = .activeDirectory) throws {
            upstream = MemoryUpstreamStore(accounts: accounts)
            ada = accounts.addUser(role: .student, email: "ada@school.example", username: "ada", hash: nil)
            _ = accounts.addUser(role: .student, email: "other@elsewhere.example", username: "ada2", hash: nil, school: SchoolID(2))
            var generator = SystemRandomNumberGenerator()
            var raw = SignInDirectorySettings()
            raw.name = "AD"
            raw.uris = "ldaps://dc1.school.example"
            raw.bindDN = "cn=reader,dc=school,dc=example"
            raw.bindPassword = "x"
            raw.baseDN = "dc=school,dc=example"
            raw.filter = "(&(objectClass=user)(sAMAccountName={name}))"
            raw.linkRule = "email"
            raw.disabledCheck = check.rawValue
            settings = try raw.validated(school: SchoolID(1), key: SymmetricKey(size: .bits256), existing: nil, using: &generator)
        }

        var signIn: DirectorySignIn {
            DirectorySignIn(
                directory: settings,
                server: DirectoryServer(
                    endpoints: settings.endpoints, caCertificates: "", bindDN: settings.bindDN, bindPassword: DirectorySecret("x")),
                connector: directory, linking: UpstreamLinking(store: upstream, accounts: accounts))
        }

        func entry(_ dn: String, mail: String, control: String? = "512") -> DirectoryEntry {
            DirectoryEntry(dn: dn, attributes: [("mail", [mail])] + (control.map { [("userAccountControl", [$0])] } ?? []))
        }
    }

    static let adaFilter = "(&(objectClass=user)(sAMAccountName=ada))"
    static let adaDN = "CN=Ada,OU=People,DC=school,DC=example"

    @Test func theRightPasswordSignsTheLinkedPersonIn() throws {
        let f = try Fixture()
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ADA@school.example")])
        f.directory.password("correct horse", for: Self.adaDN)
        #expect(try f.signIn.authenticate(name: " ada ", password: DirectorySecret("correct horse")) == .signedIn(f.ada, dn: Self.adaDN))
        #expect(f.directory.searched == [Self.adaFilter] && f.directory.bound == [Self.adaDN])
        #expect(try f.signIn.authenticate(name: "ada", password: DirectorySecret("wrong")) == .refused(.wrongPassword(dn: Self.adaDN)))
    }

    @Test(arguments: [("", "pw", DirectoryRefusal.emptyName), ("ada", "", .emptyPassword), (String(repeating: "a", count: 257), "pw", .nameTooLong)])
    func nothingReachesTheDirectoryForAnEmptyOrOversizedField(name: String, password: String, refusal: DirectoryRefusal) throws {
        let f = try Fixture()
        #expect(try f.signIn.authenticate(name: name, password: DirectorySecret(password)) == .refused(refusal))
        #expect(f.directory.searched.isEmpty && f.directory.bound.isEmpty, "no search and no bind")
        #expect(refusal.revealsNothing)
    }

    @Test func injectionStringsAreSearchedForLiterallyAndMatchNobody() throws {
        let f = try Fixture()
        for name in ["*)(uid=*", "\\00", "*", "ada)(|(sAMAccountName=*"] {
            #expect(try f.signIn.authenticate(name: name, password: DirectorySecret("pw")) == .refused(.noEntry))
        }
        #expect(
            f.directory.searched == [
                "(&(objectClass=user)(sAMAccountName=\\2a\\29\\28uid=\\2a))", "(&(objectClass=user)(sAMAccountName=\\5c00))",
                "(&(objectClass=user)(sAMAccountName=\\2a))", "(&(objectClass=user)(sAMAccountName=ada\\29\\28|\\28sAMAccountName=\\2a))",
            ])
        #expect(f.directory.bound.isEmpty)
    }

    @Test func severalEntriesOrADisabledOneAreRefusedBeforeAnyBind() throws {
        let f = try Fixture()
        f.directory.answer(Self.adaFilter, with: [f.entry("CN=A1", mail: "ada@school.example"), f.entry("CN=A2", mail: "ada@school.example")])
        #expect(try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw")) == .refused(.severalEntries))
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example", control: "514")])
        #expect(try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw")) == .refused(.disabled(dn: Self.adaDN)))
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example", control: nil)])
        #expect(
            try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw")) == .refused(.disabled(dn: Self.adaDN)),
            "an unreadable userAccountControl counts as disabled")
        #expect(f.directory.bound.isEmpty)
    }

    @Test(arguments: [("512", false), ("514", true), ("66050", true), ("66048", false), ("-2147483646", true), ("x", true)])
    func activeDirectoryDisabledBit(value: String, disabled: Bool) {
        let entry = DirectoryEntry(dn: "CN=x", attributes: [("UserAccountControl", [value])])
        #expect(DirectoryDisabledCheck.activeDirectory.isDisabled(entry) == disabled)
        #expect(!DirectoryDisabledCheck.none.isDisabled(entry))
    }

    @Test func theRosterDecidesWhoSignsIn() throws {
        let f = try Fixture()
        f.directory.password("pw", for: "CN=Stranger")
        f.directory.answer("(&(objectClass=user)(sAMAccountName=stranger))", with: [f.entry("CN=Stranger", mail: "other@elsewhere.example")])
        #expect(
            try f.signIn.authenticate(name: "stranger", password: DirectorySecret("pw")) == .refused(.noSuchPerson(dn: "CN=Stranger")),
            "another school's person is never a candidate")
        f.directory.password("pw", for: Self.adaDN)
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example")])
        f.accounts.deactivate(f.ada.id)
        #expect(try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw")) == .refused(.inactive(f.ada, dn: Self.adaDN)))
        #expect(!DirectoryRefusal.noSuchPerson(dn: "x").revealsNothing && DirectoryRefusal.wrongPassword(dn: "x").revealsNothing)
    }

    @Test func theSearchAndTheBindShareOneDeadlineWithinTheBudget() throws {
        let f = try Fixture()
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example")])
        f.directory.password("pw", for: Self.adaDN)
        let before = Date()
        _ = try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw"))
        let given = f.directory.deadlinesGiven
        #expect(given.count == 2 && given[0] == given[1], "one deadline for the whole sign-in, not one per step")
        let budget = try #require(given.first).timeIntervalSince(before)
        #expect(budget > 0 && budget <= DirectorySignIn.timeBudget + 1)
        #expect(DirectorySignIn.timeBudget < 60, "under nginx's 60 s wait for the answer")
    }

    @Test func aDirectoryThatCannotBeUsedIsAFailureNotARefusal() throws {
        let f = try Fixture()
        f.directory.failSearches(DirectoryFailure(.unreachable, "ldaps://dc1.school.example: can't contact"))
        #expect(
            try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw"))
                == .failed(DirectoryFailure(.unreachable, "ldaps://dc1.school.example: can't contact")))
        f.directory.failSearches(nil)
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example")])
        f.directory.failBinds(DirectoryFailure(.tls, "certificate"))
        #expect(try f.signIn.authenticate(name: "ada", password: DirectorySecret("pw")) == .failed(DirectoryFailure(.tls, "certificate")))
        #expect(DirectoryFailure(.tls, "").triesNextEndpoint && !DirectoryFailure(.referral, "").triesNextEndpoint)
    }

    @Test func theAdminsTestShowsTheEntryAndThePersonWithoutCheckingAPassword() throws {
        let f = try Fixture()
        f.directory.answer(Self.adaFilter, with: [f.entry(Self.adaDN, mail: "ada@school.example")])
        let result = try f.signIn.test(name: "ada")
        #expect(result.filter == Self.adaFilter)
        #expect(result.answer == .one(f.entry(Self.adaDN, mail: "ada@school.example"), disabled: false, person: .person(f.ada, newLink: false)))
        #expect(f.directory.bound.isEmpty)
        #expect(try f.signIn.test(name: "nobody").answer == .entries(DirectorySearchResult(entries: [])))
        #expect(try f.signIn.test(name: "").answer == .badName)
    }
}

extension Result {
    fileprivate var ok: Success? { try? get() }
}
