import Domain
import Foundation
import Testing

/// The gettext `.po` reader, plural rules and language negotiation (issue 22).
@Suite struct LocalisationTests {
    static let arabic = "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"

    static let sample = #"""
        # A translator's comment.
        msgid ""
        msgstr ""
        "Language: fr\n"
        "Plural-Forms: nplurals=2; plural=(n > 1);\n"

        #. Shown on the consent page.
        #: Sources/FCGIApp/Pages/ConsentPages.swift
        msgid "consent.allow"
        msgstr "Autoriser"

        msgctxt "scope"
        msgid "profile.read"
        msgstr "Voir votre nom, "
        "votre identifiant et votre rôle"

        msgid "escapes"
        msgstr "Ligne 1\nLigne \"2\"\t\\fin"

        msgid "minutes"
        msgid_plural "minutes"
        msgstr[0] "{count} minute"
        msgstr[1] "{count} minutes"

        #, fuzzy
        msgid "consent.deny"
        msgstr "Refuser peut-être"

        msgid "untranslated"
        msgstr ""

        #~ msgid "old"
        #~ msgstr "ancien"
        """#

    @Test func aCatalogueIsReadWithContextsContinuationsEscapesAndPlurals() throws {
        let catalogue = try MessageCatalogue(parsing: Self.sample, file: "fr.po", language: "xx")
        #expect(catalogue.language == "fr")
        #expect(catalogue.text(.init("consent.allow")) == "Autoriser")
        #expect(catalogue.text(.init("profile.read", context: "scope")) == "Voir votre nom, votre identifiant et votre rôle")
        #expect(catalogue.text(.init("profile.read")) == nil)
        #expect(catalogue.text(.init("escapes")) == "Ligne 1\nLigne \"2\"\t\\fin")
        #expect(catalogue.text(.init("minutes"), count: 0) == "{count} minute")
        #expect(catalogue.text(.init("minutes"), count: 1) == "{count} minute")
        #expect(catalogue.text(.init("minutes"), count: 2) == "{count} minutes")
        #expect(catalogue.isPlural(.init("minutes")))
    }

    @Test func fuzzyUntranslatedAndObsoleteEntriesAreLeftOut() throws {
        let catalogue = try MessageCatalogue(parsing: Self.sample, file: "fr.po", language: "fr")
        #expect(catalogue.text(.init("consent.deny")) == nil)
        #expect(catalogue.text(.init("untranslated")) == nil)
        #expect(catalogue.text(.init("old")) == nil)
        #expect(catalogue.keys.count == 4)
    }

    @Test(arguments: [
        ("msgid \"a\"\nmsgstr \"b\nmsgid \"c\"\nmsgstr \"d\"\n", 2, "a string without its closing quote"),
        ("msgid \"a\"\nmsgstr \"b\\q\"\n", 2, "unknown escape \"\\q\""),
        ("msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", 3, "\"a\" is defined twice (first on line 1)"),
        ("msgid \"a\"\nmsgtxt \"b\"\n", 2, "unknown keyword \"msgtxt\""),
        ("msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n", 1, "msgid \"a\" has no msgstr"),
        ("msgstr \"b\"\n", 1, "msgstr without msgid"),
        ("msgid \"a\"\nmsgid_plural \"a\"\nmsgstr[0] \"x\"\nmsgstr[2] \"y\"\n", 4, "expected msgstr[1], found msgstr[2]"),
        ("msgid \"a\"\nmsgstr \"b\" extra\n", 2, "text after the closing quote"),
        ("\"orphan\"\n", 1, "a string continues no keyword"),
        (
            "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n\nmsgid \"a\"\nmsgid_plural \"a\"\nmsgstr[0] \"x\"\n", 4,
            "\"a\" has 1 plural forms; Plural-Forms says 2"
        ),
        ("msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=n+;\\n\"\n", 1, "Plural-Forms: expected n, a number or \"(\", found the end"),
    ])
    func aMalformedCatalogueIsRefusedNamingTheFileAndLine(text: String, line: Int, reason: String) {
        #expect(throws: MessageCatalogue.Failure(file: "bad.po", line: line, reason: reason)) {
            try MessageCatalogue(parsing: text, file: "bad.po", language: "xx")
        }
    }

    @Test func theFailureReadsAsFileColonLine() {
        #expect(MessageCatalogue.Failure(file: "locales/fr.po", line: 7, reason: "x").description == "locales/fr.po:7: x")
    }

    @Test(arguments: [(0, 1), (1, 0), (2, 1), (11, 1), (101, 1)])
    func englishHasOneAndOther(n: Int, form: Int) throws {
        #expect(try PluralRule(header: "nplurals=2; plural=(n != 1);").index(for: n) == form)
    }

    @Test(arguments: [(0, 0), (1, 0), (2, 1), (100, 1)])
    func frenchCountsZeroAsSingular(n: Int, form: Int) throws {
        #expect(try PluralRule(header: "nplurals=2; plural=(n > 1);").index(for: n) == form)
    }

    @Test(arguments: [(0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5), (102, 5), (103, 3), (111, 4), (1000, 5)])
    func arabicHasSixForms(n: Int, form: Int) throws {
        #expect(try PluralRule(header: Self.arabic).index(for: n) == form)
    }

    @Test func precedenceAndOperatorsFollowC() throws {
        // `!`, `*` `/` `%` before `+` `-`, before comparisons, before `&&`, before `||`; `?:` is right-associative.
        #expect(try PluralRule(count: 6, expression: "n*2+1==5 || !n").index(for: 2) == 1)
        #expect(try PluralRule(count: 6, expression: "n*2+1==5 || !n").index(for: 0) == 1)
        #expect(try PluralRule(count: 6, expression: "n*2+1==5 || !n").index(for: 3) == 0)
        #expect(try PluralRule(count: 6, expression: "n/2 - n%2 >= 1 ? 5 : n <= 1 ? 0 : 2").index(for: 4) == 5)
        #expect(try PluralRule(count: 6, expression: "n/2 - n%2 >= 1 ? 5 : n <= 1 ? 0 : 2").index(for: 1) == 0)
        #expect(try PluralRule(count: 6, expression: "(n % 0) + (n / 0)").index(for: 7) == 0)
    }

    @Test(arguments: [
        "n ; 1", "n + x", "(n", "n ? 1", "nplurals", "1 ? 2 : 3 : 4", String(repeating: "(", count: 100) + "n" + String(repeating: ")", count: 100),
    ])
    func aMalformedExpressionIsRefused(expression: String) {
        #expect(throws: PluralRule.Failure.self) { try PluralRule(count: 2, expression: expression) }
    }

    @Test func aRuleThatPicksAMissingFormIsRefused() {
        #expect(throws: PluralRule.Failure.self) { try PluralRule(header: "nplurals=2; plural=n;") }
        #expect(throws: PluralRule.Failure.self) { try PluralRule(header: "nplurals=9; plural=0;") }
        #expect(throws: PluralRule.Failure.self) { try PluralRule(header: "plural=0;") }
    }

    static let negotiation = LanguageNegotiation(supported: ["en", "ar", "es", "fr"])

    @Test(arguments: [
        (LanguageNegotiation.Signals(), "en"),
        (.init(acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.8"), "fr"),
        (.init(acceptLanguage: "de-DE, es;q=0.5, fr;q=0.4"), "es"),
        (.init(acceptLanguage: "fr;q=0, es;q=0.1"), "es"),
        (.init(acceptLanguage: "de, *;q=0.5"), "en"),
        (.init(acceptLanguage: "es;q=bad, fr;q=0.2"), "fr"),
        (.init(acceptLanguage: "AR-eg"), "ar"),
        (.init(acceptLanguage: "de, it"), "en"),
        (.init(school: "es", acceptLanguage: "fr"), "es"),
        (.init(uiLocales: "de ar-SA fr", school: "es", acceptLanguage: "fr"), "ar"),
        (.init(uiLocales: "de", school: "es"), "es"),
        (.init(cookie: "fr", uiLocales: "ar", school: "es"), "fr"),
        (.init(saved: "ar", cookie: "fr", uiLocales: "es", school: "es", acceptLanguage: "es"), "ar"),
        (.init(saved: "xx", cookie: "zz", acceptLanguage: "es"), "es"),
    ])
    func theLanguageComesFromTheMostSpecificSignal(signals: LanguageNegotiation.Signals, expected: String) {
        #expect(Self.negotiation.choose(signals) == expected)
    }

    @Test func numbersAndDatesFollowTheLanguage() {
        #expect(LocaleFormatting.number(1234, language: "en") == "1,234")
        #expect(LocaleFormatting.number(1_234_567, language: "es") == "1.234.567")
        // French groups with a (narrow) no-break space.
        #expect(["1\u{202F}234\u{202F}567", "1\u{00A0}234\u{00A0}567"].contains(LocaleFormatting.number(1_234_567, language: "fr")))
        let date = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28
        let utc = TimeZone(identifier: "UTC")!
        #expect(LocaleFormatting.date(date, language: "en", timeZone: utc) == "May 28, 2026")
        #expect(LocaleFormatting.date(date, language: "fr", timeZone: utc).contains("mai"))
        #expect(LocaleFormatting.date(date, language: "es", timeZone: utc).contains("may"))
        #expect(LocaleFormatting.isRightToLeft("ar") && LocaleFormatting.isRightToLeft("ar-EG") && !LocaleFormatting.isRightToLeft("fr"))
    }
}
