import Domain
import Foundation

/// LTI 1.3 placements and launches (issue 19 item 2, slice 2; ARCHITECTURE "LTI 1.3"):
/// - `POST /teacher/classes/{class}/lti`: a teacher of the class places a tool its school allows (a resource link);
/// - `POST /lti/launch/{link}`: a member of the class starts a launch: a single-use `lti_message_hint` (its digest
///   stored) and the third-party-initiated login form to the tool's login initiation URL;
/// - `GET /lti/authorize`: the tool's OIDC authentication request (`LTIAuthenticationRules`), answered by a form that
///   posts the signed launch id_token, or an error, to the tool's registered redirect URI.
/// A blocked tool, a person not in the class, an unknown tool or redirect, a replayed or stale hint: a page, nothing
/// sent to the tool.
enum LTIRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/teacher/classes/{class}/lti") { request, parameters, context in
            let session = try context.requireSignIn(request, .teacher)
            let form = try context.verifiedForm(request, session: session)
            let store = try lti(context)
            guard let classID = parameters["class"].flatMap(ClassID.init), let school = session.user.schoolID,
                let facts = try context.services.schoolwork.teaching.relationship(of: session.user, toClass: classID),
                SchoolAccess.mayTeachClass(session.user, facts)
            else { throw HTTPError.notFound() }
            let tools = try store.placeableTools(school: school)
            guard let tool = tools.first(where: { $0.clientID.rawValue == form["tool"] }),
                try (context.services.api.appPolicies.policy(school: school, client: tool.clientID) ?? .default).allowsAuthorization
            else { throw HTTPError(status: 400, code: "invalid_request", L("lti.place.choose_tool")) }
            guard let title = LTIPlacementRules.title(form["title"] ?? "", toolName: tool.name) else {
                throw HTTPError(status: 400, code: "invalid_request", L("lti.place.title_too_long"))
            }
            var random = SystemRandomNumberGenerator()
            guard
                let link = try store.place(
                    tool: tool.clientID, in: classID, school: school, title: title,
                    linkID: SecretToken.make(prefix: LTIPlacementRules.linkPrefix, using: &random),
                    deploymentID: SecretToken.make(prefix: LTIPlacementRules.deploymentPrefix, using: &random), by: session.user.id,
                    now: context.now)
            else { throw HTTPError(status: 400, code: "invalid_request", L("lti.place.choose_tool")) }
            context.logger.info(
                "LTI tool placed", metadata: ["oauth.client_id": "\(tool.clientID)", "class.id": "\(classID)", "lti.link": "\(link.linkID)"])
            return .seeOther("/teacher/classes/\(classID)?saved=1")
        }

        router.add("POST", "/teacher/classes/{class}/lti/{link}/remove") { request, parameters, context in
            let session = try context.requireSignIn(request, .teacher)
            _ = try context.verifiedForm(request, session: session)
            guard let classID = parameters["class"].flatMap(ClassID.init), let linkID = parameters["link"], linkID.utf8.count <= 64,
                let facts = try context.services.schoolwork.teaching.relationship(of: session.user, toClass: classID),
                SchoolAccess.mayTeachClass(session.user, facts), try lti(context).removeLink(linkID, in: classID)
            else { throw HTTPError.notFound() }
            context.logger.info("LTI placement removed", metadata: ["class.id": "\(classID)", "lti.link": "\(linkID)"])
            return .seeOther("/teacher/classes/\(classID)?saved=1")
        }

        router.add("POST", "/lti/launch/{link}") { request, parameters, context in
            let session = try context.requireSignIn(request, .teacher, .student)
            _ = try context.verifiedForm(request, session: session)
            let store = try lti(context)
            guard let linkID = parameters["link"], linkID.utf8.count <= 64, let target = try store.launchTarget(linkID: linkID) else {
                throw HTTPError.notFound()
            }
            let enrolment = try store.enrolment(of: session.user.id, in: target.link.classID)
            let policy = try context.services.api.appPolicies.policy(school: target.schoolID, client: target.link.clientID)
            switch LTIPlacementRules.mayLaunch(session.user, enrolment: enrolment, schoolID: target.schoolID, policy: policy) {
            case .failure(.notInClass):
                throw HTTPError(status: 403, code: "access_denied", L("lti.launch.not_in_class"))
            case .failure(.blocked):
                throw HTTPError(status: 403, code: "access_denied", L("lti.launch.blocked", ["tool": target.link.toolName]))
            case .success:
                break
            }
            guard let client = try context.services.oauth.clients.client(target.link.clientID) else { throw HTTPError.notFound() }
            let keys = try context.services.oauth.requireKeys()
            var random = SystemRandomNumberGenerator()
            let hint = SecretToken.make(prefix: LTIPlacementRules.hintPrefix, using: &random)
            let loginHint = keys.subjects.subject(for: session.user.id, client: client.clientID, type: client.subjectType)
            try store.createLaunch(
                digest: SecretToken.digest(hint),
                LTIPendingLaunch(
                    clientID: client.clientID, resourceLink: target.link.linkID, user: session.user.id, loginHint: loginHint,
                    expiresAt: context.now.addingTimeInterval(LTIPendingLaunch.lifetime)))
            let initiation = LTILoginInitiation(
                issuer: context.services.configuration.appURL, loginHint: loginHint,
                targetLinkURI: target.link.targetLinkURI ?? target.settings.targetLinkURI, messageHint: hint, deploymentID: target.deploymentID,
                clientID: client.clientID)
            context.logger.info("LTI launch started", metadata: ["oauth.client_id": "\(client.clientID)", "lti.link": "\(target.link.linkID)"])
            return .page(
                LTIPages.autoSubmit(
                    session: session, title: L("lti.launch.title", ["tool": target.link.toolName]),
                    intro: L("lti.launch.opening", ["tool": target.link.toolName]), action: target.settings.loginInitiationURL,
                    fields: initiation.fields))
        }

        router.add("GET", "/lti/authorize") { request, _, context in
            try authorize(request, context: context)
        }
    }

    /// The tool's authentication request (Security Framework §5.1.1.2–§5.1.1.5).
    private static func authorize(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        let query = request.query
        guard query.repeatedNames.isEmpty else { throw HTTPError(status: 400, code: "invalid_request", L("lti.authorize.repeated")) }
        var fields: [String: String] = [:]
        for pair in query.pairs { fields[pair.name] = pair.value }
        let authentication = LTIAuthenticationRequest(parameters: fields)
        let store = try lti(context)
        let client = try authentication.clientID.flatMap { $0.utf8.count <= AuthorizationChecks.maximumClientIDLength ? ClientID($0) : nil }
            .flatMap { try context.services.oauth.clients.client($0) }
        let redirectURIs = try client.flatMap { try store.redirectURIs(of: $0.clientID) }
        let hint = authentication.messageHint.flatMap { SecretToken.isWellFormed($0, prefix: LTIPlacementRules.hintPrefix) ? $0 : nil }
        let digest = hint.map(SecretToken.digest)
        // A Deep Linking request's hint has its own prefix and table (LTIDeepLinkingRoutes).
        let deepLinkingHint = authentication.messageHint.flatMap { SecretToken.isWellFormed($0, prefix: LTIDeepLinkingRules.hintPrefix) ? $0 : nil }
        let deepLinking = try deepLinkingHint.flatMap { try store.deepLinkingRequest(hintDigest: SecretToken.digest($0)) }
        let pending = try deepLinking?.pendingLaunch ?? digest.flatMap { try store.launch(digest: $0) }
        let session = try context.signedIn(request)
        let now = context.now
        switch LTIAuthenticationRules.check(authentication, redirectURIs: redirectURIs, launch: pending, signedIn: session?.user.id, now: now) {
        case .errorPage(let reason):
            context.logger.info("LTI authentication request refused", metadata: ["lti.reason": "\(reason.rawValue)"])
            let message =
                switch reason {
                case .unknownTool: L("lti.authorize.unknown_tool")
                case .unregisteredRedirect: L("lti.authorize.unregistered_redirect")
                case .launchSpent: L("lti.authorize.launch_spent")
                }
            throw HTTPError(status: 400, code: "invalid_request", message)
        case .errorToTool(let redirectURI, let error, let description, let state):
            context.logger.info("LTI authentication request answered with an error", metadata: ["oauth.error": "\(error)"])
            var answer = [("error", error), ("error_description", description)]
            if let state { answer.append(("state", state)) }
            return .page(
                LTIPages.autoSubmit(
                    session: session, title: L("lti.authorize.returning"), intro: L("lti.authorize.returning_error"), action: redirectURI,
                    fields: answer))
        case .launch(let launch, let redirectURI, let nonce, let state):
            if let deepLinking, let deepLinkingHint, let client, let session {
                return try LTIDeepLinkingRoutes.sendRequest(
                    deepLinking, hint: deepLinkingHint, client: client, session: session, redirectURI: redirectURI, nonce: nonce, state: state,
                    context: context)
            }
            guard let client, let session, let digest else { throw HTTPError(status: 400, code: "invalid_request", L("lti.authorize.launch_spent")) }
            // Everything is checked again at the moment of sending: the school may have blocked the tool, the person
            // left the class, since the class page.
            guard let target = try store.launchTarget(linkID: launch.resourceLink), target.link.clientID == client.clientID else {
                throw HTTPError(status: 400, code: "invalid_request", L("lti.authorize.launch_spent"))
            }
            let policy = try context.services.api.appPolicies.policy(school: target.schoolID, client: client.clientID)
            let role: Role
            switch LTIPlacementRules.mayLaunch(
                session.user, enrolment: try store.enrolment(of: session.user.id, in: target.link.classID), schoolID: target.schoolID,
                policy: policy)
            {
            case .failure(.notInClass): throw HTTPError(status: 403, code: "access_denied", L("lti.launch.not_in_class"))
            case .failure(.blocked):
                throw HTTPError(status: 403, code: "access_denied", L("lti.launch.blocked", ["tool": target.link.toolName]))
            case .success(let enrolled): role = enrolled
            }
            let keys = try context.services.oauth.requireKeys()
            let signer = StoredKeySigner(services: context.services, sealingKey: keys.sealingKey, algorithm: client.idTokenSigningAlgorithm)
            let key = try signer.currentKey()
            // Spent only now, after every check that could still fail with a 500: one hint, one id_token.
            guard try store.spendLaunch(digest: digest, now: now) else {
                throw HTTPError(status: 400, code: "invalid_request", L("lti.authorize.launch_spent"))
            }
            var claims = LTILaunchClaims(
                issuer: context.services.configuration.appURL, audience: client.clientID, subject: launch.loginHint, nonce: nonce, issuedAt: now,
                messageType: .resourceLink, deploymentID: target.deploymentID,
                targetLinkURI: target.link.targetLinkURI ?? target.settings.targetLinkURI, role: role,
                context: (id: String(target.link.classID.rawValue), label: target.classCode ?? target.classTitle, title: target.classTitle))
            claims.resourceLink = (id: target.link.linkID, title: target.link.title)
            claims.custom = target.link.custom
            // NRPS only for a tool granted its scope, and only where the school lends it (LTIMembershipRules).
            if client.allowedScopes.contains(LTIScopes.contextMembershipRead), LTIMembershipRules.schoolLends(policy) {
                claims.membershipsURL = LTIMembershipRules.url(base: context.services.configuration.appURL, classID: target.link.classID)
            }
            // AGS with the scopes the tool holds and the school lends, and the placement's first line item, if any.
            let gradeScopes = LTIGradeRules.claimScopes(granted: Array(client.allowedScopes), policy: policy)
            if !gradeScopes.isEmpty {
                let base = context.services.configuration.appURL
                claims.gradeService = (scopes: gradeScopes, lineItemsURL: LTIGradeRules.lineItemsURL(base: base, classID: target.link.classID))
                if let item = try context.services.schoolwork.ltiGrades?.defaultLineItem(linkID: target.link.linkID) {
                    claims.defaultLineItemURL = LTIGradeRules.lineItemURL(base: base, classID: target.link.classID, itemID: item)
                }
            }
            if client.allowedScopes.contains("profile.read") {
                let user = session.user
                claims.names = (given: user.givenName, family: user.familyName, full: "\(user.givenName) \(user.familyName)")
            }
            let token = try claims.signed(with: key)
            context.logger.info(
                "LTI launch sent", metadata: ["oauth.client_id": "\(client.clientID)", "lti.link": "\(target.link.linkID)"])
            var answer = [("id_token", token)]
            if let state { answer.append(("state", state)) }
            return .page(
                LTIPages.autoSubmit(
                    session: session, title: L("lti.launch.title", ["tool": target.link.toolName]),
                    intro: L("lti.launch.opening", ["tool": target.link.toolName]), action: redirectURI, fields: answer))
        }
    }

    /// The LTI store, or a 404 where the site has none (the developers site).
    static func lti(_ context: RequestContext) throws -> any LTIStore {
        guard let store = context.services.schoolwork.lti else { throw HTTPError.notFound() }
        return store
    }
}
