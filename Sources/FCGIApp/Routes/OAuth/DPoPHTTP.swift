import Domain
import Foundation

/// DPoP (RFC 9449) at the HTTP edge: the `DPoP` header of token requests and of resource requests, checked by
/// ``DPoPProof`` and recorded once in the replay cache (``DPoPProofStore``).
///
/// - Token endpoint (§5): a proof is optional unless the client requires DPoP (``OAuthClient/requiresDPoP``,
///   `invalid_dpop_proof` without one); with one, it must carry the
///   server's current nonce (§8: `use_dpop_nonce` and a `DPoP-Nonce` header otherwise), and the issued tokens are
///   bound to its key (``TokenBinding``: the access token always, the refresh token of a public client).
/// - Resources (§7): a token sent with the `DPoP` scheme needs a proof for this method and URL carrying `ath`;
///   ``BearerRule`` then checks that the token is bound to that key. With `oauth.dpop_resource_nonce` (the default)
///   the proof must also carry the server nonce (§9): 401 `use_dpop_nonce` with the `DPoP` challenge and a
///   `DPoP-Nonce` header otherwise. Resources share the token endpoint's stateless nonce (``DPoPNonce``: every
///   worker and host computes the same value, no table), so a client may use one nonce for both.
enum DPoPHTTP {
    /// The worker's checked proof headers (one client key each): a proof whose header part was read before is not
    /// read again (``DPoPKeyCache``); its signature and claims are checked as always.
    static let keyCache = DPoPKeyCache()

    /// The absolute URL of `path` on the app site, as clients compute `htu` (the configured issuer, not the
    /// Host header a client sent).
    static func url(_ path: String, context: RequestContext) -> String {
        let base = context.services.configuration.appURL
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    /// How a resource received `token`: `.bearer`, or `.dpop` with the key of a valid, unused proof; otherwise
    /// the 401 `invalid_dpop_proof` (or `use_dpop_nonce`) refusal with the `DPoP` challenge.
    static func presentation(of token: OAuthHTTP.PresentedToken, request: HTTPRequest, context: RequestContext) throws -> TokenPresentation {
        guard token.isDPoP else { return .bearer }
        var rule = DPoPProof.NonceRule.none
        var challenge: () -> OAuthRefusal.Challenge = { .dpop(scope: nil) }
        let lastSlot = NonceAge()
        var nextNonce: () -> String? = { nil }
        if context.services.configuration.oauth.dpopResourceNonce {
            let nonces = try context.services.oauth.requireKeys().dpopNonces
            let now = context.now
            rule = .required { nonce in
                guard let age = nonces.age(of: nonce, now: now) else { return false }
                lastSlot.value = age == .lastSlot
                return true
            }
            challenge = { .dpop(scope: nil, nonce: nonces.current(now: now)) }
            nextNonce = { nonces.current(now: now) }
        }
        let proof = try verify(
            request, uri: url(request.path, context: context), accessToken: token.value, nonce: rule, context: context, challenge: challenge)
        // The proof's nonce dies with this slot: the answer carries the current one (RFC 9449 §8.2), whatever it is.
        if lastSlot.value { context.subject.dpopNonce = nextNonce() }
        return .dpop(thumbprint: proof.thumbprint)
    }

    /// Whether the accepted nonce of a resource's proof was the previous slot's (set by the nonce rule's check).
    private final class NonceAge {
        var value = false
    }

    /// The key a token request binds its tokens to, or `nil` for bearer tokens (no `DPoP` header).
    static func binding(_ request: HTTPRequest, client: OAuthClient, context: RequestContext) throws -> TokenBinding? {
        let nonces = try context.services.oauth.requireKeys().dpopNonces
        let now = context.now
        guard request.headers["dpop"] != nil else {
            guard !client.requiresDPoP else {
                throw OAuthRefusal(
                    OAuthError(.invalidDPoPProof, "This client's tokens are DPoP-bound: send a DPoP proof with the token request."),
                    challenge: .dpopNonce(nonces.current(now: now)))
            }
            return nil
        }
        let proof = try verify(
            request, uri: url(DiscoveryDocument.Path.token, context: context), accessToken: nil,
            nonce: .required { nonces.age(of: $0, now: now) != nil }, context: context,
            challenge: { .dpopNonce(nonces.current(now: now)) })
        return TokenBinding(thumbprint: proof.thumbprint, client: client)
    }

    /// A pushed authorization request's `DPoP` proof (RFC 9449 §10.1): the code is then bound to the proof's key, as
    /// with `dpop_jkt`, which must name the same key when both are sent. The proof carries the server nonce like a
    /// token request's (`use_dpop_nonce` with `DPoP-Nonce` first). `nil` without a proof.
    static func pushedRequestThumbprint(_ request: HTTPRequest, dpopJKT: String?, context: RequestContext) throws -> String? {
        guard request.headers["dpop"] != nil else { return nil }
        let nonces = try context.services.oauth.requireKeys().dpopNonces
        let now = context.now
        let proof = try verify(
            request, uri: url(DiscoveryDocument.Path.pushedAuthorization, context: context), accessToken: nil,
            nonce: .required { nonces.age(of: $0, now: now) != nil }, context: context,
            challenge: { .dpopNonce(nonces.current(now: now)) })
        if let dpopJKT, dpopJKT != proof.thumbprint {
            throw OAuthRefusal(OAuthError(.invalidDPoPProof, "dpop_jkt does not name the key of the DPoP proof."))
        }
        return proof.thumbprint
    }

    /// The server's nonce to send with a token response (RFC 9449 §8.2: a fresh one on every answer is allowed).
    static func nonce(context: RequestContext) throws -> String {
        try context.services.oauth.requireKeys().dpopNonces.current(now: context.now)
    }

    private static func verify(
        _ request: HTTPRequest, uri: String, accessToken: String?, nonce: DPoPProof.NonceRule, context: RequestContext,
        challenge: () -> OAuthRefusal.Challenge
    ) throws -> DPoPProof {
        // The challenge (with a fresh nonce: an HMAC) only for a refusal.
        guard let header = request.headers["dpop"] else {
            throw OAuthRefusal(OAuthError(.invalidDPoPProof, "The DPoP scheme needs a DPoP proof header."), challenge: challenge())
        }
        switch DPoPProof.verify(header, method: request.method, uri: uri, accessToken: accessToken, nonce: nonce, now: context.now, keys: keyCache) {
        case .failure(let failure):
            context.logger.info("DPoP proof refused", metadata: ["error.detail": "\(failure)"])
            throw OAuthRefusal(failure.oauthError, challenge: challenge())
        case .success(let proof):
            guard try context.services.oauth.dpopProofs.recordProofUse(digest: proof.replayDigest, expiresAt: proof.replayExpiresAt) else {
                context.logger.info("DPoP proof replayed")
                throw OAuthRefusal(
                    OAuthError(.invalidDPoPProof, "The DPoP proof was already used: make a new one per request."), challenge: challenge())
            }
            return proof
        }
    }
}
