/// The front page of each site.
enum HomeRoutes {
    static func register(in router: inout Router<RequestContext>, site: Site) {
        router.add("GET", "/") { _, _, _ in
            let (title, text) =
                switch site {
                case .app:
                    ("CatalystWells", "Sign in once and decide which education apps may use your school data.")
                case .developers:
                    ("CatalystWells for developers", "Build education apps that school users can connect with one sign-in.")
                }
            return .html(
                """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>\(HTML.escape(title))</title><link rel="stylesheet" href="/assets/catalyst.css"></head>
                <body><main class="narrow"><h1>\(HTML.escape(title))</h1><p>\(HTML.escape(text))</p></main></body></html>
                """)
        }
    }
}
