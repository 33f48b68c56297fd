import Domain
import Foundation

/// LTI Deep Linking 2.0 from a teacher's class page (issue 19; ARCHITECTURE "LTI 1.3"):
/// - `POST /teacher/classes/{class}/lti/deep-link`: a teacher of the class chooses a tool the school allows that has a
///   Deep Linking URL; a request is stored (digests of its `lti_message_hint` and `data`, bound to the teacher, the
///   class and the school's deployment) and the browser goes through the tool's login initiation;
/// - `GET /lti/authorize` (``LTIRoutes``) answers its hint with an `LtiDeepLinkingRequest` id_token
///   (``sendRequest(_:client:session:redirectURI:nonce:state:context:)``);
/// - `POST /lti/deep-linking/{class}/return`: the tool's `LtiDeepLinkingResponse` (form field `JWT`), checked by
///   ``LTIDeepLinkingRules`` with the tool's `private_key_jwt` keys; its nonce is recorded once, then the request is
///   spent and each `ltiResourceLink` placed in one transaction, and the browser goes back to the class page. The post
///   comes cross-site from the tool, so it carries no CSRF token (the signed response and the single-use `data` bind
///   it instead) and usually no session cookie (SameSite=Lax). Every refusal is an error page saying what is wrong,
///   and nothing is written.
enum LTIDeepLinkingRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", "/teacher/classes/{class}/lti/deep-link") { request, parameters, context in
            let session = try context.requireSignIn(request, .teacher)
            let form = try context.verifiedForm(request, session: session)
            let store = try LTIRoutes.lti(context)
            guard let classID = parameters["class"].flatMap(ClassID.init), let school = session.user.schoolID,
                let facts = try context.services.schoolwork.teaching.relationship(of: session.user, toClass: classID),
                SchoolAccess.mayTeachClass(session.user, facts)
            else { throw HTTPError.notFound() }
            guard
                let tool = try store.placeableTools(school: school).first(where: { $0.clientID.rawValue == form["tool"] && $0.supportsDeepLinking }),
                try (context.services.api.appPolicies.policy(school: school, client: tool.clientID) ?? .default).allowsAuthorization,
                let client = try context.services.oauth.clients.client(tool.clientID)
            else { throw HTTPError(status: 400, code: "invalid_request", L("lti.place.choose_tool")) }
            let keys = try context.services.oauth.requireKeys()
            var random = SystemRandomNumberGenerator()
            let hint = SecretToken.make(prefix: LTIDeepLinkingRules.hintPrefix, using: &random)
            let loginHint = keys.subjects.subject(for: session.user.id, client: client.clientID, type: client.subjectType)
            guard
                let started = try store.startDeepLinking(
                    tool: client.clientID, in: classID, school: school, teacher: session.user.id, loginHint: loginHint,
                    hintDigest: SecretToken.digest(hint), dataDigest: SecretToken.digest(LTIDeepLinkingRules.data(forHint: hint)),
                    deploymentID: SecretToken.make(prefix: LTIPlacementRules.deploymentPrefix, using: &random),
                    expiresAt: context.now.addingTimeInterval(LTIDeepLinkingRequest.lifetime), now: context.now)
            else { throw HTTPError(status: 400, code: "invalid_request", L("lti.place.choose_tool")) }
            let initiation = LTILoginInitiation(
                issuer: context.services.configuration.appURL, loginHint: loginHint, targetLinkURI: started.deepLinkingURL, messageHint: hint,
                deploymentID: started.deploymentID, clientID: client.clientID)
            context.logger.info("LTI deep linking started", metadata: ["oauth.client_id": "\(client.clientID)", "class.id": "\(classID)"])
            return .page(
                LTIPages.autoSubmit(
                    session: session, title: L("lti.dl.title", ["tool": tool.name]), intro: L("lti.launch.opening", ["tool": tool.name]),
                    action: started.loginInitiationURL, fields: initiation.fields))
        }

        router.add("POST", "/lti/deep-linking/{class}/return") { request, parameters, context in
            try accept(request, returnClass: parameters["class"].flatMap(ClassID.init), context: context)
        }
    }

    /// The `LtiDeepLinkingResponse` at the return URL.
    private static func accept(_ request: HTTPRequest, returnClass: ClassID?, context: RequestContext) throws -> HTTPResponse {
        let form: Parameters
        do { form = try request.formParameters() } catch { throw refusal(.malformed, detail: "unreadable form") }
        guard form.repeatedNames.isEmpty, let jwt = form["JWT"], jwt.utf8.count <= CompactJWS.maximumLength,
            let peeked = LTIDeepLinkingRules.peek(jwt)
        else { throw refusal(.malformed, detail: "no readable JWT with iss and data") }
        guard peeked.issuer.utf8.count <= AuthorizationChecks.maximumClientIDLength,
            let client = try context.services.oauth.clients.client(ClientID(peeked.issuer))
        else { throw refusal(.wrongIssuer, detail: "iss names no client") }
        let store = try LTIRoutes.lti(context)
        let pending =
            peeked.data.hasPrefix(LTIDeepLinkingRules.dataPrefix) && peeked.data.utf8.count <= 64
            ? try store.deepLinkingRequest(dataDigest: SecretToken.digest(peeked.data)) : nil
        let stillTeaches = try pending.map { try store.enrolment(of: $0.teacher, in: $0.classID) == .teacher } ?? false
        let expectation = LTIDeepLinkingRules.Expectation(
            clientID: client.clientID, keys: ClientAssertionHTTP.context(for: client, assertion: jwt, context: context).keys,
            issuer: context.services.configuration.appURL, request: pending, returnClass: returnClass,
            signedIn: try context.signedIn(request)?.user.id, teacherStillTeaches: stillTeaches, now: context.now)
        let accepted: LTIDeepLinkingRules.Accepted
        switch LTIDeepLinkingRules.check(jwt, expectation) {
        case .failure(let refused): throw refusal(refused.reason, subject: refused.subject, detail: refused.detail, client: client.clientID)
        case .success(let value): accepted = value
        }
        let target = accepted.request
        guard try (context.services.api.appPolicies.policy(school: target.schoolID, client: client.clientID) ?? .default).allowsAuthorization
        else { throw HTTPError(status: 403, code: "access_denied", L("lti.launch.blocked", ["tool": target.toolName])) }
        // The nonce's single use first (a replay of the same response stops here), then the request's in the same
        // transaction as the placements.
        guard try context.services.oauth.assertionUses.recordAssertionUse(digest: accepted.nonceDigest, expiresAt: accepted.rememberUntil) else {
            throw refusal(.requestSpent, detail: "nonce used before", client: client.clientID)
        }
        var random = SystemRandomNumberGenerator()
        let links = accepted.items.map { item in
            LTIResourceLink(
                linkID: SecretToken.make(prefix: LTIPlacementRules.linkPrefix, using: &random), classID: target.classID, clientID: client.clientID,
                toolName: target.toolName, title: item.title, targetLinkURI: item.url, custom: item.custom)
        }
        guard let placed = try store.completeDeepLinking(dataDigest: SecretToken.digest(peeked.data), links: links, now: context.now) else {
            throw refusal(.requestSpent, detail: "request answered concurrently or expired", client: client.clientID)
        }
        context.logger.info(
            "LTI deep linking response accepted",
            metadata: ["oauth.client_id": "\(client.clientID)", "class.id": "\(target.classID)", "lti.placed": "\(placed.count)"])
        return .seeOther("/teacher/classes/\(target.classID)?added=\(placed.count)")
    }

    /// The error page of a refused response (logged with the detail; the page says what is wrong, in the person's
    /// language).
    private static func refusal(
        _ reason: LTIDeepLinkingRules.Reason, subject: String = "", detail: String, client: ClientID? = nil
    ) -> HTTPError {
        let message: String =
            switch reason {
            case .malformed: L("lti.dl.error.malformed")
            case .badSignature: L("lti.dl.error.bad_signature")
            case .wrongIssuer: L("lti.dl.error.wrong_issuer")
            case .wrongAudience: L("lti.dl.error.wrong_audience")
            case .expired: L("lti.dl.error.expired")
            case .wrongMessage: L("lti.dl.error.wrong_message")
            case .unknownRequest: L("lti.dl.error.unknown_request")
            case .wrongDeployment: L("lti.dl.error.wrong_deployment")
            case .requestSpent: L("lti.dl.error.request_spent")
            case .requestExpired: L("lti.dl.error.request_expired")
            case .wrongClass: L("lti.dl.error.wrong_class")
            case .wrongTeacher: L("lti.dl.error.wrong_teacher")
            case .unsupportedType: L("lti.dl.error.unsupported_type", ["type": subject])
            case .badItem: L("lti.dl.error.bad_item")
            }
        return HTTPError(
            status: 400, code: "invalid_request", message,
            logDetail: "LTI deep linking response refused: \(reason.rawValue): \(detail) (client \(client?.rawValue ?? "unknown"))")
    }

    /// The `LtiDeepLinkingRequest` id_token for a request whose hint passed ``LTIAuthenticationRules``: the teacher
    /// must still teach the class and the school still allow the tool; the hint is spent only after every check that
    /// could fail.
    static func sendRequest(
        _ pending: LTIDeepLinkingRequest, hint: String, client: OAuthClient, session: SignedIn, redirectURI: String, nonce: String,
        state: String?, context: RequestContext
    ) throws -> HTTPResponse {
        let store = try LTIRoutes.lti(context)
        let policy = try context.services.api.appPolicies.policy(school: pending.schoolID, client: client.clientID)
        switch LTIPlacementRules.mayLaunch(
            session.user, enrolment: try store.enrolment(of: session.user.id, in: pending.classID), schoolID: pending.schoolID, policy: policy)
        {
        case .failure(.blocked): throw HTTPError(status: 403, code: "access_denied", L("lti.launch.blocked", ["tool": pending.toolName]))
        case .success(.teacher): break
        case .failure(.notInClass), .success: throw HTTPError(status: 403, code: "access_denied", L("lti.launch.not_in_class"))
        }
        let keys = try context.services.oauth.requireKeys()
        let key = try StoredKeySigner(services: context.services, sealingKey: keys.sealingKey, algorithm: client.idTokenSigningAlgorithm).currentKey()
        // Spent only now, after every check that could still fail with a 500: one hint, one id_token.
        guard try store.spendDeepLinkingHint(digest: SecretToken.digest(hint), now: context.now) else {
            throw HTTPError(status: 400, code: "invalid_request", L("lti.authorize.launch_spent"))
        }
        var claims = LTILaunchClaims(
            issuer: context.services.configuration.appURL, audience: client.clientID, subject: pending.loginHint, nonce: nonce,
            issuedAt: context.now, messageType: .deepLinking, deploymentID: pending.deploymentID, targetLinkURI: pending.deepLinkingURL,
            role: .teacher, context: (id: String(pending.classID.rawValue), label: pending.classCode ?? pending.classTitle, title: pending.classTitle)
        )
        claims.deepLinkingReturnURL = LTIDeepLinkingRules.returnURL(base: context.services.configuration.appURL, classID: pending.classID)
        // Neither value is stored: the authentication request brought the hint back, and `data` derives from it.
        claims.deepLinkingData = LTIDeepLinkingRules.data(forHint: hint)
        if client.allowedScopes.contains("profile.read") {
            let user = session.user
            claims.names = (given: user.givenName, family: user.familyName, full: "\(user.givenName) \(user.familyName)")
        }
        let token = try claims.signed(with: key)
        context.logger.info("LTI deep linking request sent", metadata: ["oauth.client_id": "\(client.clientID)", "class.id": "\(pending.classID)"])
        var answer = [("id_token", token)]
        if let state { answer.append(("state", state)) }
        return .page(
            LTIPages.autoSubmit(
                session: session, title: L("lti.dl.title", ["tool": pending.toolName]), intro: L("lti.launch.opening", ["tool": pending.toolName]),
                action: redirectURI, fields: answer))
    }
}
