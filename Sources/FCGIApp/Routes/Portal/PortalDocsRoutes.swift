/// The public integration docs of the developer portal; readable signed out.
enum PortalDocsRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/docs") { request, _, context in
            .page(PortalDocsPages.index(session: try context.developerSignedIn(request)))
        }
        router.add("GET", "/docs/{topic}") { request, parameters, context in
            guard
                let page = PortalDocsPages.topic(
                    parameters["topic"] ?? "", session: try context.developerSignedIn(request), configuration: context.services.configuration)
            else { throw HTTPError.notFound() }
            return .page(page)
        }
    }
}
