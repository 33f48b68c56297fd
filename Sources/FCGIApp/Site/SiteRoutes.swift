/// The route table of each site, built once per worker thread by the same function tests use.
enum SiteRoutes {
    static func router(for site: Site) -> Router<RequestContext> {
        var router = Router<RequestContext>()
        HealthRoutes.register(in: &router)
        AssetRoutes.register(in: &router)
        HomeRoutes.register(in: &router, site: site)
        return router
    }
}
