/// The error summary of a page that shows field errors (WCAG 3.3.1, 2.4.3): it takes the focus when the page
/// opens, says there is a problem, and lists each error as a link to the field it belongs to, so a keyboard or
/// screen reader user hears every problem and jumps to the field to fix it.
///
/// The summary is built from the rendered content, so every page that marks a field with ``Layout/fieldError(_:id:)``
/// and ties the field with ``Layout/errorAttributes(_:id:)`` (or `aria-describedby`) gets it without listing its
/// fields twice. A message whose field cannot be found links to the message itself.
enum ErrorSummary {
    /// One field error: the message's id, its text (markup as rendered, already escaped) and the id of the
    /// element that names it in `aria-describedby`, if any has an id.
    struct Entry: Equatable {
        let messageID: String
        let message: String
        let fieldID: String?
    }

    /// The summary, or nothing when `content` shows no field error, and the content with an id given to each
    /// erroneous field that had none (so the summary can link to it). `heading` is the page's problem notice when
    /// it has one (its text, escaped by the caller), else the default sentence.
    static func render(_ content: HTML, heading: HTML? = nil) -> (summary: HTML, content: HTML)? {
        let (entries, marked) = entries(in: content.rendered)
        guard !entries.isEmpty else { return nil }
        var items = ""
        for entry in entries {
            items += "<li><a href=\"#\(entry.fieldID ?? entry.messageID)\">\(entry.message)</a></li>"
        }
        let title = heading ?? HTML("\(L("error_summary.title"))")
        let summary: HTML = """
            <div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus>\
            <p class="error-summary-title">\(title)</p><ul>\(HTML(unsafeRaw: items))</ul></div>
            """
        return (summary, HTML(unsafeRaw: marked))
    }

    /// The field errors of rendered markup, in page order, each with the id of its field, and the markup with
    /// `id="<message id>-field"` added to each field that names a message in `aria-describedby` but has no id.
    static func entries(in markup: String) -> (entries: [Entry], markup: String) {
        let opening = "<span class=\"field-error\" id=\""
        var found: [(id: String, message: String)] = []
        var rest = markup[...]
        while let start = rest.range(of: opening) {
            let afterID = rest[start.upperBound...]
            guard let idEnd = afterID.firstIndex(of: "\""), let tagEnd = afterID[idEnd...].firstIndex(of: ">"),
                let close = afterID[tagEnd...].range(of: "</span>")
            else { break }
            found.append((String(afterID[..<idEnd]), String(afterID[afterID.index(after: tagEnd)..<close.lowerBound])))
            rest = afterID[close.upperBound...]
        }
        guard !found.isEmpty else { return ([], markup) }
        let messages = Set(found.map(\.id))
        var fields: [String: String] = [:]
        var insertions: [(at: String.Index, id: String)] = []
        let attribute = "aria-describedby=\""
        rest = markup[...]
        while let hit = rest.range(of: attribute) {
            guard let valueEnd = rest[hit.upperBound...].firstIndex(of: "\""), let tagEnd = rest[valueEnd...].firstIndex(of: ">")
            else { break }
            let named = rest[hit.upperBound..<valueEnd].split(separator: " ").map(String.init).filter { messages.contains($0) && fields[$0] == nil }
            if let first = named.first, let tagStart = markup[..<hit.lowerBound].lastIndex(of: "<") {
                let tag = markup[tagStart..<tagEnd]
                let id: String
                if let existing = attributeValue(" id=\"", in: tag) {
                    id = existing
                } else {
                    // After the tag's name: `<input` → `<input id="…"`.
                    id = "\(first)-field"
                    let nameEnd = tag.dropFirst().firstIndex { $0 == " " || $0 == ">" } ?? tag.endIndex
                    insertions.append((nameEnd, id))
                }
                for message in named { fields[message] = id }
            }
            rest = rest[tagEnd...]
        }
        var marked = markup
        for insertion in insertions.reversed() { marked.insert(contentsOf: " id=\"\(insertion.id)\"", at: insertion.at) }
        return (found.map { Entry(messageID: $0.id, message: $0.message, fieldID: fields[$0.id]) }, marked)
    }

    private static func attributeValue(_ prefix: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: prefix), let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(tag[start.upperBound..<end])
    }
}
