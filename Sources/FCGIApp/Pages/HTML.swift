/// Escaping for text placed into HTML, and the shared page frame.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'` so text cannot open markup or leave an attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A complete error page: a heading, the message, and the request id to quote to support.
    static func errorPage(status: Int, title: String, message: String, requestID: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · CatalystWells</title>
        <link rel="stylesheet" href="/assets/catalyst.css"></head>
        <body><main class="narrow"><h1>\(escape(title))</h1><p>\(escape(message))</p>
        <p><small>Error \(status) · request \(escape(requestID))</small></p></main></body></html>
        """
    }
}
