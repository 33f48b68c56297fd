import Domain

/// The platform admin's landing page. The app review queue joins it with the sync work.
enum PlatformRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/platform") { request, _, context in
            let session = try context.requireSignIn(request, .platformAdmin)
            return .page(
                Layout.page(
                    title: "Platform", session: session,
                    """
                    <h1>Platform administration</h1>
                    <p>You run this CatalystWells installation. Schools manage their own people and rosters; platform
                    admins see no pupil records.</p>
                    <p class="muted" id="review-queue">The review queue for developer apps will appear here.</p>
                    """))
        }
    }
}
