import Domain
import Foundation

/// `POST /api/oauth/par`: pushed authorization requests (RFC 9126 §2).
///
/// Order: the form; the client, authenticated as at the token endpoint (secrets, `private_key_jwt`, or a public
/// client's `client_id`); a `DPoP` proof, which binds the code to its key like `dpop_jkt` (RFC 9449 §10.1,
/// ``DPoPHTTP/pushedRequestThumbprint(_:dpopJKT:context:)``); the parameters, validated by the same rules as /authsso
/// (``PushedAuthorizationRequest``);
/// then one row with the digest of a fresh `request_uri`. Answers 201 `{request_uri, expires_in}` with
/// `Cache-Control: no-store` (§2.2); every refusal is RFC 6749 §5.2 JSON and stores nothing (§2.3).
enum PARRoutes {
    static func register(in router: inout Router<RequestContext>) {
        router.add("POST", DiscoveryDocument.Path.pushedAuthorization) { request, _, context in
            try push(request, context: context)
        }
    }

    private static func push(_ request: HTTPRequest, context: RequestContext) throws -> HTTPResponse {
        var form = try OAuthHTTP.form(request)
        let identification: ClientAuthentication
        switch ClientAuthentication.parse(form: form, authorization: request.headers["authorization"]) {
        case .success(let value): identification = value
        case .failure(let error): throw OAuthRefusal(error, usedBasic: OAuthHTTP.usesBasic(request))
        }
        let client = try OAuthHTTP.authenticate(
            identification, request: request, endpoint: "pushed authorization request", redirectURIs: true, context: context)
        if let thumbprint = try DPoPHTTP.pushedRequestThumbprint(request, dpopJKT: form["dpop_jkt"], context: context) {
            var values = form.values
            values["dpop_jkt"] = thumbprint
            form = OAuthParameters(values: values, repeatedNames: form.repeatedNames)
        }
        let parameters: OAuthParameters
        switch PushedAuthorizationRequest.validate(form, client: client) {
        case .success(let value): parameters = value
        case .failure(let error):
            context.logger.info(
                "pushed authorization request refused",
                metadata: ["oauth.client_id": "\(client.clientID)", "error.detail": "\(error.logDetail ?? error.description)"])
            throw OAuthRefusal(error)
        }
        var generator = SystemRandomNumberGenerator()
        let made = PushedAuthorizationRequest.make(using: &generator)
        try context.services.oauth.pushedRequests.savePushedRequest(
            digest: made.digest, clientID: client.clientID, parameters: PushedAuthorizationRequest.encode(parameters),
            expiresAt: context.now.addingTimeInterval(PushedAuthorizationRequest.lifetime))
        return OAuthHTTP.json(
            .object([("request_uri", .string(made.requestURI)), ("expires_in", .int(Int(PushedAuthorizationRequest.lifetime)))]),
            status: 201)
    }
}
