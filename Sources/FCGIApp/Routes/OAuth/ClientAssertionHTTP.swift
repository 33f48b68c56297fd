import Domain
import Foundation
import Logging

/// A worker's `jwks_uri` documents of `private_key_jwt` clients (``ClientKeyCache``'s rule), shared by its threads
/// behind a lock; fetching happens outside the lock.
final class ClientKeyDocuments: @unchecked Sendable {
    private let lock = NSLock()
    private var cache = ClientKeyCache()

    init() {}

    func step(_ key: String, kid: String?, now: Date) -> ClientKeyCache.Step { lock.withLock { cache.step(key, kid: kid, now: now) } }
    func store(_ keys: ClientKeySet, for key: String, now: Date) { lock.withLock { cache.store(keys, for: key, at: now) } }
    func failed(_ key: String, now: Date) { lock.withLock { cache.failed(key, at: now) } }
}

/// Where the token, PAR, introspection and revocation endpoints get a `private_key_jwt` client's keys: its registered
/// JWK Set, or its `jwks_uri` fetched through the SSRF-guarded HTTPS client (``UpstreamTransport``: https only,
/// addresses checked and pinned, no redirects, 10 s, 256 KiB) and cached per worker.
struct ClientKeySource {
    let transport: any UpstreamTransport
    let documents: ClientKeyDocuments
}

/// `private_key_jwt` at the endpoints (``OAuthHTTP/authenticate(_:request:endpoint:redirectURIs:context:)``): the
/// context an assertion is checked against, and its single use recorded afterwards.
enum ClientAssertionHTTP {
    /// The audiences an assertion may name: the token endpoint's URL and the issuer (RFC 7523 §3 item 3).
    static func audiences(_ context: RequestContext) -> [String] {
        let issuer = context.services.configuration.appURL
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return [base + DiscoveryDocument.Path.token, issuer]
    }

    /// What `assertion` from `client` is checked against; the keys are `nil` (every assertion refused) when the client
    /// has none or its `jwks_uri` cannot be fetched.
    static func context(for client: OAuthClient?, assertion: String?, context: RequestContext) -> ClientAssertionContext {
        ClientAssertionContext(
            keys: client.flatMap { keys(of: $0, kid: assertion.flatMap(ClientAssertionRules.keyID(of:)), context: context) },
            audiences: audiences(context), now: context.now)
    }

    private static func keys(of client: OAuthClient, kid: String?, context: RequestContext) -> ClientKeySet? {
        switch client.privateKeyJWT?.source {
        case nil: return nil
        case .document(let document): return try? ClientKeySet(document: document)
        case .uri(let uri):
            let source = context.services.oauth.clientKeys
            let key = ClientKeyCache.key(clientID: client.clientID, uri: uri)
            switch source.documents.step(key, kid: kid, now: context.now) {
            case .use(let keys): return keys
            case .unavailable: return nil
            case .fetch: break
            }
            do {
                let answer = try source.transport.get(uri)
                guard answer.status == 200 else {
                    source.documents.failed(key, now: context.now)
                    context.logger.warning(
                        "client jwks_uri answered \(answer.status)", metadata: ["oauth.client_id": "\(client.clientID)"])
                    return nil
                }
                let keys = try ClientKeySet(document: answer.body)
                source.documents.store(keys, for: key, now: context.now)
                return keys
            } catch {
                source.documents.failed(key, now: context.now)
                context.logger.warning(
                    "client jwks_uri not usable", metadata: ["oauth.client_id": "\(client.clientID)", "error.detail": "\(error)"])
                return nil
            }
        }
    }

    /// Records the use of an accepted assertion; a `jti` seen before is `invalid_client` (RFC 7523 §3 item 7).
    static func recordUse(of identification: ClientAuthentication, checkedWith assertionContext: ClientAssertionContext, context: RequestContext)
        throws -> OAuthError?
    {
        guard let assertion = identification.secret,
            case .success(let accepted) = ClientAssertionRules.check(assertion, clientID: identification.clientID, context: assertionContext)
        else { return .invalidClient("Client authentication failed.") }
        guard try context.services.oauth.assertionUses.recordAssertionUse(digest: accepted.replayDigest, expiresAt: accepted.rememberUntil) else {
            return .invalidClient("Client authentication failed.", logDetail: "client assertion jti used before")
        }
        return nil
    }

    /// Why an assertion was refused, for the log line.
    static func refusalReason(of identification: ClientAuthentication, client: OAuthClient?, checkedWith assertionContext: ClientAssertionContext)
        -> String
    {
        guard let client else { return "unknown client" }
        guard client.privateKeyJWT != nil else { return "the client is not registered for private_key_jwt" }
        guard let assertion = identification.secret else { return "no assertion" }
        if case .failure(let refusal) = ClientAssertionRules.check(assertion, clientID: client.clientID, context: assertionContext) {
            return refusal.reason
        }
        return "client not active"
    }
}
