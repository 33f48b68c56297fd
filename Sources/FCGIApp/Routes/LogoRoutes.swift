/// `GET /logos/{sha256}` on both sites: app logos uploaded on the portal, named by the digest of their bytes.
/// The app site serves them too (the app pool may read the logo table) so its consent page can show an app's
/// logo from its own origin, which its content security policy allows.
enum LogoRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/logos/{sha256}") { _, parameters, context in
            guard let logo = try context.services.portal.logos.logo(sha256: parameters["sha256"] ?? "") else { throw HTTPError.notFound() }
            return .logo(logo)
        }
    }
}
