/// The front page of each site: the app site sends signed-in people to their role's page.
enum HomeRoutes {
    static func register(in router: inout Router<RequestContext>, site: Site) {
        router.add("GET", "/") { request, _, context in
            switch site {
            case .app:
                if let session = try context.signedIn(request) { return .seeOther(SignInRoutes.home(for: session.user.role)) }
                return .page(
                    Layout.page(
                        title: "Welcome", session: nil, narrow: true,
                        """
                        <h1>CatalystWells</h1>
                        <p>Sign in once and decide which education apps may use your school data.</p>
                        <p><a href="/login">Sign in</a></p>
                        """))
            case .developers:
                if try context.developerSignedIn(request) != nil { return .seeOther("/apps") }
                return .page(PortalDocsPages.landing())
            }
        }
    }
}
