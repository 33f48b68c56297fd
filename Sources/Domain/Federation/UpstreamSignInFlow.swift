import Crypto
import Foundation

/// The HTTP the upstream sign-in needs: GET a document, POST a form. The live one is the SSRF-guarded HTTPS client
/// (https only, the provider's addresses checked and pinned, 10 s for the whole exchange, no redirects followed).
public protocol UpstreamTransport: Sendable {
    /// The status and body of a GET.
    func get(_ url: String) throws(UpstreamTransportError) -> (status: Int, body: [UInt8])
    /// The status and body of a POST of `form` (`application/x-www-form-urlencoded`), with extra `headers`.
    func postForm(_ url: String, form: [(String, String)], headers: [(name: String, value: String)]) throws(UpstreamTransportError)
        -> (status: Int, body: [UInt8])
}

/// Why an upstream could not be asked: unreachable, refused by the address rule, too slow.
public struct UpstreamTransportError: Error, Sendable, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// Why an upstream sign-in failed before it produced an identity.
public enum UpstreamSignInFailure: Error, Sendable, Equatable {
    /// The provider's documents could not be fetched or are unusable (discovery, JWKS): what happened, as a
    /// ``Message`` (`signin_settings.problem.discovery_*`, `signin_settings.problem.keys_*`).
    case unavailable(Message)
    /// The token endpoint could not be reached or did not give tokens for the code.
    case tokenEndpoint(UpstreamTokenEndpointFailure)
    /// The ID token or the identity in it was refused.
    case refused(UpstreamSignInRefusal)

    /// What the page says, in English (logs, tests).
    public var message: String { problem.english }

    /// What the page says, in its language: a provider that cannot be used (`signin_settings.problem.unavailable`,
    /// on "test this provider", adding one, and starting a sign-in), the token endpoint's answer
    /// (`upstream.refusal.token_*`) and the ID token's refusal (`upstream.refusal.*`).
    public var problem: Message {
        switch self {
        case .unavailable(let reason):
            Message(
                "signin_settings.problem.unavailable", "The provider is not available right now: \(reason.english).", nested: ["reason": reason])
        case .tokenEndpoint(let failure): failure.problem
        case .refused(let refusal): refusal.problem
        }
    }

    /// The log line's reason.
    public var logReason: String {
        switch self {
        case .unavailable(let reason): "unavailable: \(reason.english)"
        case .tokenEndpoint(let failure): "token endpoint: \(failure.reason)"
        case .refused(let refusal): refusal.logReason
        }
    }
}

/// Why the token endpoint gave no ID token for the code. The transport's reason and the provider's `error` code are
/// arguments, shown as they are.
public enum UpstreamTokenEndpointFailure: Sendable, Equatable {
    /// The endpoint could not be reached (unreachable, refused by the address rule, too slow).
    case unreachable(String)
    /// It answered another status than 200, with its `error` code if it gave one.
    case status(Int, error: String?)
    /// Its answer holds no `id_token`.
    case noIDToken

    /// The short English reason (the log line's).
    public var reason: String {
        switch self {
        case .unreachable(let detail): detail
        case .status(let status, let error): "it answered HTTP \(status)" + (error.map { ": " + $0 } ?? "")
        case .noIDToken: "its answer has no ID token"
        }
    }

    /// What the page says (`upstream.refusal.token_*`).
    public var problem: Message {
        let english = "The provider could not be reached or refused the code: \(reason)."
        return switch self {
        case .unreachable(let detail): Message("upstream.refusal.token_unreachable", english, ["detail": detail])
        case .status(let status, nil): Message("upstream.refusal.token_status", english, ["status": "\(status)"])
        case .status(let status, let error?):
            Message("upstream.refusal.token_status_error", english, ["status": "\(status)", "error": error])
        case .noIDToken: Message("upstream.refusal.token_no_id_token", english)
        }
    }
}

/// A worker's upstream documents: each provider's discovery metadata (kept for an hour) and signing keys (the
/// rule of ``UpstreamKeyCache``). Shared by the worker's threads behind a lock; fetching happens outside it.
public final class UpstreamDocumentCache: @unchecked Sendable {
    /// How long a discovery document is used.
    public static let metadataLifetime: TimeInterval = 3600

    private let lock = NSLock()
    private var metadata: [String: (value: OpenIDProviderMetadata, fetchedAt: Date)] = [:]
    private var keys = UpstreamKeyCache()

    public init() {}

    func cachedMetadata(_ key: String, now: Date) -> OpenIDProviderMetadata? {
        lock.withLock {
            guard let entry = metadata[key], now >= entry.fetchedAt, now.timeIntervalSince(entry.fetchedAt) < Self.metadataLifetime else {
                return nil
            }
            return entry.value
        }
    }

    func storeMetadata(_ value: OpenIDProviderMetadata, _ key: String, now: Date) {
        lock.withLock { metadata[key] = (value, now) }
    }

    func keyStep(_ key: String, kid: String?, now: Date) -> UpstreamKeyCache.Step {
        lock.withLock { keys.step(provider: key, kid: kid, now: now) }
    }

    func storeKeys(_ set: JSONWebKeySet, _ key: String, now: Date) {
        lock.withLock { keys.store(set, for: key, at: now) }
    }
}

/// The authorization code flow with an upstream OpenID provider (OIDC Core §3.1), as a relying party:
/// 1. ``authorizationURL(provider:ticket:redirectURI:loginHint:now:)``: where to send the browser, with `state`,
///    `nonce` and a PKCE S256 challenge from the ``UpstreamSignInTicket`` the browser keeps;
/// 2. ``identity(provider:ticket:code:redirectURI:clientSecret:now:)``: the code exchanged at the token endpoint
///    (with the PKCE verifier and the client secret), the ID token checked completely
///    (``UpstreamIDTokenRules``; keys fetched again once for an unknown `kid`), and the identity the provider's kind
///    vouches for (``UpstreamProviderKind``).
public struct UpstreamSignInFlow: Sendable {
    /// The scopes asked for.
    public static let scopes = "openid email profile"

    let transport: any UpstreamTransport
    let cache: UpstreamDocumentCache
    /// Plain `http` endpoints on loopback (a provider on the same machine), for test stacks only.
    let allowLoopbackHTTP: Bool

    public init(transport: any UpstreamTransport, cache: UpstreamDocumentCache, allowLoopbackHTTP: Bool = false) {
        self.transport = transport
        self.cache = cache
        self.allowLoopbackHTTP = allowLoopbackHTTP
    }

    /// The provider's discovery metadata, from the cache or fetched.
    public func metadata(of provider: UpstreamProvider, now: Date) throws(UpstreamSignInFailure) -> OpenIDProviderMetadata {
        let key = provider.slug + " " + provider.discoveryURL
        if let cached = cache.cachedMetadata(key, now: now) { return cached }
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try transport.get(provider.discoveryURL)
        } catch {
            throw .unavailable(
                Message(
                    "signin_settings.problem.discovery_fetch", "its discovery document could not be fetched (\(error.reason))",
                    ["detail": error.reason]))
        }
        guard answer.status == 200 else {
            throw .unavailable(
                Message(
                    "signin_settings.problem.discovery_status", "its discovery document answered HTTP \(answer.status)",
                    ["status": "\(answer.status)"]))
        }
        switch OpenIDProviderMetadata.parse(answer.body, expectedIssuer: provider.discoveryIssuer, allowLoopbackHTTP: allowLoopbackHTTP) {
        case .success(let metadata):
            cache.storeMetadata(metadata, key, now: now)
            return metadata
        case .failure(let refusal):
            throw .unavailable(
                Message(
                    "signin_settings.problem.discovery_unusable", "its discovery document is unusable (\(refusal.reason))",
                    nested: ["reason": refusal.problem]))
        }
    }

    /// The URL of the provider's authorization endpoint for this sign-in.
    public func authorizationURL(
        provider: UpstreamProvider, ticket: UpstreamSignInTicket, redirectURI: String, loginHint: String?, now: Date
    ) throws(UpstreamSignInFailure) -> String {
        let metadata = try metadata(of: provider, now: now)
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirectURI), ("scope", Self.scopes),
            ("state", ticket.state), ("nonce", ticket.nonce), ("code_challenge", Self.challenge(ticket.codeVerifier)),
            ("code_challenge_method", "S256"),
        ]
        if let loginHint, !loginHint.isEmpty, loginHint.utf8.count <= 254 { query.append(("login_hint", loginHint)) }
        // Google shows only the school's accounts in its chooser when told the one domain (still checked on return).
        if case .google(let domains) = provider.kind, domains.count == 1 { query.append(("hd", domains[0])) }
        let separator = metadata.authorizationEndpoint.contains("?") ? "&" : "?"
        return metadata.authorizationEndpoint + separator + query.map { "\(FormCodec.encode($0.0))=\(FormCodec.encode($0.1))" }.joined(separator: "&")
    }

    /// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
    public static func challenge(_ verifier: String) -> String {
        SecretToken.base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// The identity the provider vouches for, after exchanging `code`.
    public func identity(
        provider: UpstreamProvider, ticket: UpstreamSignInTicket, code: String, redirectURI: String, clientSecret: String, now: Date
    ) -> Result<UpstreamIdentity, UpstreamSignInFailure> {
        do {
            let metadata = try metadata(of: provider, now: now)
            let token = try exchange(code, provider: provider, metadata: metadata, ticket: ticket, redirectURI: redirectURI, secret: clientSecret)
            let verified = try verify(token, provider: provider, metadata: metadata, nonce: ticket.nonce, now: now)
            return provider.kind.identity(authority: provider.authority, from: verified).mapError { .refused($0) }
        } catch {
            return .failure(error)
        }
    }

    /// The ID token the token endpoint gives for `code`.
    func exchange(
        _ code: String, provider: UpstreamProvider, metadata: OpenIDProviderMetadata, ticket: UpstreamSignInTicket, redirectURI: String,
        secret: String
    ) throws(UpstreamSignInFailure) -> String {
        var form: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", ticket.codeVerifier),
        ]
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if metadata.clientSecretInForm {
            form += [("client_id", provider.clientID), ("client_secret", secret)]
        } else {
            // RFC 6749 §2.3.1: both parts form-encoded before base64.
            let pair = FormCodec.encode(provider.clientID) + ":" + FormCodec.encode(secret)
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        }
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try transport.postForm(metadata.tokenEndpoint, form: form, headers: headers)
        } catch {
            throw .tokenEndpoint(.unreachable(error.reason))
        }
        let document = try? JSONParser.parse(answer.body)
        guard answer.status == 200 else {
            throw .tokenEndpoint(.status(answer.status, error: document?[member: "error"]?.stringValue.map { String($0.prefix(80)) }))
        }
        guard let idToken = document?[member: "id_token"]?.stringValue else { throw .tokenEndpoint(.noIDToken) }
        return idToken
    }

    /// The checked ID token: with the cached keys, or keys fetched now; an unknown `kid` fetches once more (at most
    /// once a minute per provider) in case the provider rotated its keys.
    func verify(
        _ token: String, provider: UpstreamProvider, metadata: OpenIDProviderMetadata, nonce: String, now: Date
    ) throws(UpstreamSignInFailure) -> VerifiedIDToken {
        let expectations = UpstreamIDTokenExpectations(issuers: provider.issuers, clientID: provider.clientID, nonce: nonce, now: now)
        let cacheKey = provider.slug + " " + metadata.jwksURI
        let kid = (try? CompactJWS(token))?.keyID
        var fetched = false
        for _ in 0..<2 {
            let keys: JSONWebKeySet
            switch cache.keyStep(cacheKey, kid: kid, now: now) {
            case .use(let cached):
                keys = cached
            case .fetch:
                keys = try fetchKeys(metadata.jwksURI)
                cache.storeKeys(keys, cacheKey, now: now)
                fetched = true
            }
            switch UpstreamIDTokenRules.verify(token, keys: keys, expecting: expectations) {
            case .success(let verified): return verified
            case .failure(.unknownKey) where !fetched: continue
            case .failure(let refusal): throw .refused(refusal)
            }
        }
        throw .refused(.unknownKey)
    }

    private func fetchKeys(_ url: String) throws(UpstreamSignInFailure) -> JSONWebKeySet {
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try transport.get(url)
        } catch {
            throw .unavailable(
                Message("signin_settings.problem.keys_fetch", "its signing keys could not be fetched (\(error.reason))", ["detail": error.reason]))
        }
        guard answer.status == 200 else {
            throw .unavailable(
                Message("signin_settings.problem.keys_status", "its signing keys answered HTTP \(answer.status)", ["status": "\(answer.status)"]))
        }
        do {
            return try JSONWebKeySet(document: answer.body)
        } catch {
            throw .unavailable(Message("signin_settings.problem.keys_document", "its signing keys are not a JWKS document"))
        }
    }
}
