import Domain
import Foundation
import Synchronization

/// The message catalogues of every shipped language, read once when a process starts
/// (`<general.locales_directory>/<tag>/LC_MESSAGES/catalystwells.po`, the gettext layout) and shared, read-only, by
/// its threads. English (`en`) is the source language: it must be there, and every other catalogue falls back to
/// it for a key it lacks.
struct Translations: Sendable {
    /// The gettext domain: the catalogues' file name.
    static let domain = "catalystwells"
    /// The source language.
    static let source = "en"

    /// The catalogues by language tag.
    let catalogues: [String: MessageCatalogue]
    /// The languages, English first, then by tag.
    let languages: [String]
    /// Picks a language from a request's signals.
    let negotiation: LanguageNegotiation

    init(catalogues: [String: MessageCatalogue]) {
        self.catalogues = catalogues
        languages = [Self.source] + catalogues.keys.filter { $0 != Self.source }.sorted()
        negotiation = LanguageNegotiation(supported: languages)
    }

    /// No catalogue at all: every lookup answers its key (tests of routes that do not look at words).
    static let keysOnly = Translations(catalogues: [:])

    /// Why the catalogues could not be read.
    struct LoadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads every `<tag>/LC_MESSAGES/catalystwells.po` under `directory`. A malformed catalogue, or a folder
    /// without English, is a failure naming the file (and line).
    static func load(directory: String) throws(LoadFailure) -> Translations {
        let folders: [String]
        do {
            folders = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw LoadFailure(description: "cannot read the locales folder \(directory) (general.locales_directory)")
        }
        var catalogues: [String: MessageCatalogue] = [:]
        for folder in folders {
            let path = "\(directory)/\(folder)/LC_MESSAGES/\(domain).po"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw LoadFailure(description: "\(path): cannot be read as UTF-8")
            }
            do {
                let catalogue = try MessageCatalogue(parsing: text, file: path, language: folder)
                catalogues[folder.lowercased()] = catalogue
            } catch {
                throw LoadFailure(description: error.description)
            }
        }
        guard catalogues[source] != nil else {
            throw LoadFailure(description: "\(directory)/\(source)/LC_MESSAGES/\(domain).po: the English catalogue is missing")
        }
        return Translations(catalogues: catalogues)
    }

    /// The text of `key` in `language`, else in English, else the key itself.
    func text(_ key: MessageCatalogue.Key, language: String) -> String {
        catalogues[language]?.text(key) ?? catalogues[Self.source]?.text(key) ?? key.id
    }

    /// The plural form of `key` for `count` in `language`, else in English, else the key itself.
    func text(_ key: MessageCatalogue.Key, count: Int, language: String) -> String {
        catalogues[language]?.text(key, count: count) ?? catalogues[Self.source]?.text(key, count: count) ?? key.id
    }

    /// A language's name in that language, for the switcher.
    func name(of language: String) -> String { catalogues[language]?.text(.init("language.name")) ?? language }
}

private let installedTranslations = Mutex<Translations?>(nil)

extension Translations {
    /// The catalogues the process read at start (``install(_:)``), for text built outside a request (in English);
    /// ``keysOnly`` before that.
    static var installed: Translations { installedTranslations.withLock { $0 } ?? .keysOnly }

    /// Makes `translations` the process's catalogues: once, when a worker starts.
    static func install(_ translations: Translations) { installedTranslations.withLock { $0 = translations } }
}
