/// The route table of each site, built once per worker thread by the same function tests use.
enum SiteRoutes {
    static func router(for site: Site, environment: Configuration.Environment) -> Router<RequestContext> {
        var router = Router<RequestContext>()
        if environment == .test { TestRoutes.register(in: &router) }
        HealthRoutes.register(in: &router)
        MailCronRoutes.register(in: &router)
        AssetRoutes.register(in: &router)
        HomeRoutes.register(in: &router, site: site)
        LogoRoutes.register(in: &router)
        if site == .app {
            SignInRoutes.register(in: &router)
            UpstreamSignInRoutes.register(in: &router)
            SAMLSignInRoutes.register(in: &router)
            AccountRoutes.register(in: &router)
            SchoolSignInRoutes.register(in: &router)
            SecurityLogRoutes.register(in: &router)
            SecondFactorRoutes.register(in: &router)
            PasskeyRoutes.register(in: &router)
            BadgeRoutes.register(in: &router)
            PasswordRoutes.register(in: &router)
            StudentRoutes.register(in: &router)
            TeacherRoutes.register(in: &router)
            SchoolAdminRoutes.register(in: &router)
            PasswordResetRoutes.register(in: &router)
            ChoosePasswordRoutes.register(in: &router)
            SignInCardRoutes.register(in: &router)
            AuthorizeRoutes.register(in: &router)
            TokenRoutes.register(in: &router)
            DiscoveryRoutes.register(in: &router)
            AppInfoRoutes.register(in: &router)
            UserInfoRoutes.register(in: &router)
            RevokeRoutes.register(in: &router)
            IntrospectRoutes.register(in: &router)
            ConnectedAppsRoutes.register(in: &router)
            EducationAPIRoutes.register(in: &router)
            SchoolAppsRoutes.register(in: &router)
            AccessLogRoutes.register(in: &router)
            SyncRoutes.register(in: &router)
            ReviewRoutes.register(in: &router)
        } else {
            PortalSignUpRoutes.register(in: &router)
            PortalSignInRoutes.register(in: &router)
            PortalPasswordRoutes.register(in: &router)
            PortalSecurityRoutes.register(in: &router)
            PortalDocsRoutes.register(in: &router)
            PortalAppRoutes.register(in: &router)
            PortalLiveAppRoutes.register(in: &router)
            PortalSupportRoutes.register(in: &router)
            WebhookCronRoutes.register(in: &router)
        }
        return router
    }
}
