import Domain
import Foundation
import Testing

@testable import FCGIApp

/// Every catalogue under `locales/` has exactly the keys the code uses: each literal key of an `L(`/`LH(` call in
/// `Sources/` and of a Domain rule's `Message(` (all take a `StaticString`, so there is no other way to name a key), the scope
/// descriptions of the registry (`msgctxt "scope"`), and ``Localisation/dynamicKeys``. A key the code uses and a
/// catalogue lacks fails here, and so does a key nothing uses.
@Suite struct LocalisationCatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The literal keys of the sources, and which of them are looked up with a count.
    static let used: (keys: Set<MessageCatalogue.Key>, plural: Set<MessageCatalogue.Key>) = {
        let pattern = try! NSRegularExpression(pattern: #"\b(?:LH?|Message)\(\s*"((?:[^"\\]|\\.)*)"\s*(,\s*count:)?"#)
        var keys: Set<MessageCatalogue.Key> = []
        var plural: Set<MessageCatalogue.Key> = []
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try! String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = MessageCatalogue.Key(String(text[Range(match.range(at: 1), in: text)!]))
                keys.insert(key)
                if match.range(at: 2).location != NSNotFound { plural.insert(key) }
            }
        }
        return (keys, plural)
    }()

    static var expected: Set<MessageCatalogue.Key> {
        used.keys.union(ScopeRegistry.standard.definitions.map { .init($0.name, context: Localisation.scopeContext) })
            .union(Localisation.dynamicKeys)
    }

    @Test func theSourcesUseKeys() {
        #expect(Self.used.keys.count > 50)
        #expect(Self.used.keys.contains(.init("consent.allow")))
        #expect(Self.used.plural.contains(.init("consent.would_like")))
        #expect(Self.used.keys.contains(.init("schoolwork.error.title")))
        #expect(Self.used.plural.contains(.init("portal.error.min")))
    }

    @Test(arguments: ["en", "es", "fr", "ar"])
    func eachCatalogueHasEveryKeyTheCodeUsesAndNoOther(language: String) throws {
        let catalogue = try #require(testTranslations.catalogues[language])
        let missing = Self.expected.subtracting(catalogue.keys).sorted()
        let unused = catalogue.keys.subtracting(Self.expected).sorted()
        #expect(missing.isEmpty, "\(language) lacks: \(missing)")
        #expect(unused.isEmpty, "\(language) has keys nothing uses: \(unused)")
        for key in Self.expected {
            #expect(catalogue.isPlural(key) == Self.used.plural.contains(key), "\(language): \(key) plural forms must match its use")
        }
    }

    @Test(arguments: ["es", "fr", "ar"])
    func translationsKeepTheEnglishPlaceholders(language: String) throws {
        let english = try #require(testTranslations.catalogues["en"])
        let catalogue = try #require(testTranslations.catalogues[language])
        for key in Self.expected {
            let source = Self.placeholders(english.text(key, count: 5) ?? "").subtracting(["count"])
            for n in [0, 1, 2, 3, 11, 100] {
                let translated = Self.placeholders(catalogue.text(key, count: n) ?? "").subtracting(["count"])
                #expect(translated == source, "\(language) \(key) for \(n): \(translated) instead of \(source)")
            }
        }
    }

    @Test func aMalformedOrMissingCatalogueStopsTheLoadNamingTheFileAndLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cw-locales-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ language: String, _ text: String) throws {
            let messages = folder.appendingPathComponent("\(language)/LC_MESSAGES")
            try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
            try text.write(to: messages.appendingPathComponent("catalystwells.po"), atomically: true, encoding: .utf8)
        }
        try write("fr", "msgid \"a\"\nmsgstr \"b\"\n")
        #expect(throws: Translations.LoadFailure.self) { try Translations.load(directory: folder.path) }
        try write("en", "msgid \"a\"\nmsgstr \"b\"\n")
        #expect(try Translations.load(directory: folder.path).languages == ["en", "fr"])
        try write("fr", "msgid \"a\"\nmsgstr \"b\n")
        do {
            _ = try Translations.load(directory: folder.path)
            Issue.record("a malformed catalogue was loaded")
        } catch {
            #expect(error.description == folder.path + "/fr/LC_MESSAGES/catalystwells.po:2: a string without its closing quote")
        }
    }

    static func placeholders(_ text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\{([a-z_]+)\}"#)
        return Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) })
    }
}
