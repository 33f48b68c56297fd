import Domain
import Foundation
import Testing

@testable import FCGIApp

/// The developers site's `/docs` topics in each shipped language (issue 22): every topic's prose comes from the
/// catalogues, none is left in English, and code (samples and inline) stays left to right on an Arabic page.
@Suite struct PortalDocsRouteTests {
    let app = TestApp()

    func page(_ path: String, language: String) -> HTTPResponse {
        app.responder(site: .developers).respond(to: rawRequest("GET", path, headers: ["HTTP_COOKIE": "\(SessionCookie.language)=\(language)"]))
    }

    @Test func anArabicTopicHasArabicProseAndLeftToRightCode() {
        let arabic = page("/docs/dpop", language: "ar")
        #expect(arabic.status == 200)
        #expect(arabic.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
        #expect(arabic.text.contains("لا تعمل رموزك إلا مع إثبات (DPoP proof)"))
        #expect(arabic.text.contains("<pre dir=\"ltr\"><code>POST /api/oauth/token HTTP/1.1"))
        #expect(arabic.text.contains("<code dir=\"ltr\">dpop_jkt</code>"))
        // A number of seconds in the language's digits and plural form (60: "ثانية", where 3 to 10 take "ثوانٍ").
        #expect(arabic.text.contains("الأقدم من \(LocaleFormatting.number(Int(DPoPProof.maximumAge), language: "ar")) ثانية"))
        #expect(!arabic.text.contains("<div lang=\"en\"") && !arabic.text.contains("your tokens only work together"))
    }

    /// Each sentence of a topic's English text (its code left out) is absent from the topic in another language.
    @Test(arguments: ["es", "fr", "ar"])
    func noTopicIsLeftInEnglish(language: String) {
        for slug in PortalDocsPages.topics.map(\.slug) {
            let english = page("/docs/\(slug)", language: "en")
            let translated = page("/docs/\(slug)", language: language)
            #expect(english.status == 200 && translated.status == 200, "\(slug)")
            #expect(translated.text.contains("<html lang=\"\(language)\"") && !translated.text.contains("<div lang=\"en\""), "\(slug)")
            let sentences = Self.prose(english.text)
            #expect(!sentences.isEmpty, "\(slug)")
            let other = Self.prose(translated.text).joined(separator: "\n")
            for sentence in sentences {
                #expect(!other.contains(sentence), "\(language) /docs/\(slug) still says: \(sentence)")
            }
        }
    }

    /// The article's text without code samples, inline code and tags, in runs of 30 characters or more.
    static func prose(_ page: String) -> [String] {
        guard let start = page.range(of: "<article"), let end = page.range(of: "</article>") else { return [] }
        var text = String(page[start.lowerBound..<end.upperBound])
        for pattern in [#"(?s)<pre[^>]*>.*?</pre>"#, #"(?s)<code[^>]*>.*?</code>"#, "<[^>]+>"] {
            text = text.replacingOccurrences(of: pattern, with: "\n", options: .regularExpression)
        }
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 30 }
    }
}
