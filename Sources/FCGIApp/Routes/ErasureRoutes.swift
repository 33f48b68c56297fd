import Domain
import Foundation

/// Erasure (GDPR Art. 17) by the school admin: a person's page (`/school/users/{id}/privacy`) with export and erase,
/// the request (`POST /school/users/{id}/erasure`), the confirmation that starts the waiting period, and the
/// cancellation, allowed until the erasure runs (`catalystwells erasures run`). Everything is limited to the admin's
/// school: a person or erasure of another school is a 404; a refused step is a 409 page that says why, with nothing
/// changed.
enum ErasureRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("GET", "/school/users/{id}/privacy") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            guard let person = parameters["id"].flatMap(UserID.init),
                let record = try context.services.privacy.records.record(of: person, in: school, logLimit: 0)
            else { throw HTTPError.notFound() }
            return .page(
                PrivacyPages.person(
                    session: session, person: record.profile, open: try context.services.privacy.erasures.openErasure(of: person),
                    waitingDays: waitingDays(context)))
        }

        router.add("POST", "/school/users/{id}/erasure") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            let erasures = context.services.privacy.erasures
            guard let person = parameters["id"].flatMap(UserID.init), let found = try context.services.privacy.records.person(person, in: school)
            else { throw HTTPError.notFound() }
            if let refusal = ErasureRules.mayRequest(
                by: session.user.id, subject: person, role: found.role, open: try erasures.openErasure(of: person))
            {
                throw refused(refusal)
            }
            var generator = SystemRandomNumberGenerator()
            let erasure: Erasure
            do {
                erasure = try erasures.request(
                    subject: person, school: school, by: session.user.id, pseudonym: Pseudonym.make(using: &generator), now: context.now)
            } catch let refusal as ErasureRefusal {
                throw refused(refusal)
            }
            try context.audit(.erasureRequested, request, school: school, actor: session.user.id, subject: person, detail: "erasure \(erasure.id)")
            return .seeOther("/school/erasures/\(erasure.id)")
        }

        router.add("GET", "/school/erasures") { request, _, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            return .page(
                PrivacyPages.erasures(session: session, rows: try context.services.privacy.erasures.erasures(of: school, limit: 200), notice: nil))
        }

        router.add("GET", "/school/erasures/{id}") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            let (erasure, name) = try find(parameters, school, context)
            let notice: Layout.Notice? =
                switch request.query["done"] {
                case "confirmed": .init(kind: .ok, text: L("erasure.confirmed_notice"))
                case "cancelled": .init(kind: .ok, text: L("erasure.cancelled_notice"))
                default: nil
                }
            return .page(PrivacyPages.erasure(session: session, erasure: erasure, name: name, waitingDays: waitingDays(context), notice: notice))
        }

        router.add("POST", "/school/erasures/{id}/confirm") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            let (erasure, _) = try find(parameters, school, context)
            let runsAfter: Date
            switch ErasureRules.confirm(erasure, now: context.now, waiting: context.services.configuration.privacy.erasureWaiting) {
            case .success(let date): runsAfter = date
            case .failure(let refusal): throw refused(refusal)
            }
            do {
                try context.services.privacy.erasures.confirm(erasure.id, of: school, by: session.user.id, runsAfter: runsAfter, now: context.now)
            } catch let refusal as ErasureRefusal {
                throw refused(refusal)
            }
            try context.audit(
                .erasureConfirmed, request, school: school, actor: session.user.id, subject: erasure.subject,
                detail: "erasure \(erasure.id), runs after \(PersonExport.timestamp(runsAfter))")
            return .seeOther("/school/erasures/\(erasure.id)?done=confirmed")
        }

        router.add("POST", "/school/erasures/{id}/cancel") { request, parameters, context in
            let (session, school) = try SchoolAdminRoutes.authorize(request, context)
            _ = try context.verifiedForm(request, session: session)
            let (erasure, _) = try find(parameters, school, context)
            if let refusal = ErasureRules.cancel(erasure) { throw refused(refusal) }
            do {
                try context.services.privacy.erasures.cancel(erasure.id, of: school, by: session.user.id, now: context.now)
            } catch let refusal as ErasureRefusal {
                throw refused(refusal)
            }
            try context.audit(
                .erasureCancelled, request, school: school, actor: session.user.id, subject: erasure.subject, detail: "erasure \(erasure.id)")
            return .seeOther("/school/erasures/\(erasure.id)?done=cancelled")
        }
    }

    private static func find(_ parameters: RouteParameters, _ school: SchoolID, _ context: RequestContext) throws -> (Erasure, String) {
        guard let id = parameters["id"].flatMap({ RecordID<UserRecord>($0)?.rawValue }),
            let erasure = try context.services.privacy.erasures.erasure(id, of: school)
        else { throw HTTPError.notFound() }
        let name = try context.services.privacy.records.record(of: erasure.subject, in: school, logLimit: 0).map {
            "\($0.profile.givenName) \($0.profile.familyName)"
        }
        return (erasure, name ?? "")
    }

    private static func waitingDays(_ context: RequestContext) -> Int {
        Int(context.services.configuration.privacy.erasureWaiting / 86400)
    }

    /// A refusal as a 409 page (or JSON) with the sentence the admin reads.
    private static func refused(_ refusal: ErasureRefusal) -> HTTPError {
        HTTPError(status: 409, code: "erasure_refused", refusal.message)
    }
}
