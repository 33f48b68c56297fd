import Domain

/// `GET /logos/{sha256}` on both sites: app logos uploaded on the portal, named by the digest of their bytes.
/// The app site serves the logos of live (approved) apps only, so its consent page can show an app's logo from
/// its own origin (which its content security policy allows) while no upload, reviewed or not, turns that origin
/// into an image host; the portal serves the logos any application refers to (drafts and pending changes too).
enum LogoRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/logos/{sha256}") { _, parameters, context in
            let reach: LogoReach = context.site == .app ? .liveApps : .anyApplication
            guard let logo = try context.services.portal.logos.logo(sha256: parameters["sha256"] ?? "", reach: reach) else {
                throw HTTPError.notFound()
            }
            return .logo(logo)
        }
    }
}
