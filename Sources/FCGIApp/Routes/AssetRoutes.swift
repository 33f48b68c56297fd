/// Static assets compiled into the binary.
enum AssetRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/assets/catalyst.css") { _, _, _ in
            var response = HTTPResponse(status: 200, body: Array(Stylesheet.css.utf8))
            response.headers.set("Content-Type", "text/css; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return response
        }
        router.add("GET", "/assets/badge.js") { _, _, _ in
            var response = HTTPResponse(status: 200, body: Array(BadgePages.script.utf8))
            response.headers.set("Content-Type", "text/javascript; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return response
        }
        router.add("GET", "/assets/lti-launch.js") { _, _, _ in
            var response = HTTPResponse(status: 200, body: Array(LTIPages.script.utf8))
            response.headers.set("Content-Type", "text/javascript; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return response
        }
        router.add("GET", "/assets/passkeys.js") { _, _, _ in
            var response = HTTPResponse(status: 200, body: Array(PasskeyPages.script.utf8))
            response.headers.set("Content-Type", "text/javascript; charset=utf-8")
            response.headers.set("Cache-Control", "public, max-age=3600")
            return response
        }
    }
}
