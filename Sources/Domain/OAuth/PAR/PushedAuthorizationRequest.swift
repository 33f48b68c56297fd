import Crypto
import Foundation

/// Pushed authorization requests (RFC 9126): a client POSTs its authorization parameters to the PAR endpoint, which
/// validates them exactly as /authsso would (``AuthorizationChecks``) and answers a `request_uri`; the browser then
/// carries only `client_id` and `request_uri` to /authsso.
///
/// Rules:
/// - the client authenticates as at the token endpoint (RFC 9126 §2); a `client_id` in the body must name it;
/// - `request_uri` in the body is `invalid_request` (§2.1), `request` is `request_not_supported` (no JAR);
/// - every other refusal is the one /authsso would give, as JSON (`invalid_request` for an unregistered
///   `redirect_uri`, §2.3);
/// - the `request_uri` is `urn:ietf:params:oauth:request_uri:` + 256 random bits, stored only as a SHA-256 digest,
///   valid ``lifetime`` seconds, bound to the client, and spent by the one use that ends in a code or error (§4, §7.3).
public enum PushedAuthorizationRequest {
    /// The `request_uri` prefix (RFC 9126 §2.2).
    public static let requestURIPrefix = "urn:ietf:params:oauth:request_uri:"
    /// How long a pushed request can be used (RFC 9126 §2.2 `expires_in`).
    public static let lifetime: TimeInterval = 60
    /// Parameters that authenticate the client: never stored with the request.
    public static let credentialNames: Set<String> = ["client_secret", "client_assertion", "client_assertion_type"]
    /// Longest stored request, in bytes.
    public static let maximumLength = 8192

    /// A fresh `request_uri` and the digest to store for it.
    public static func make(using generator: inout some RandomNumberGenerator) -> (requestURI: String, digest: [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let reference = SecretToken.base64URL(bytes)
        return (requestURIPrefix + reference, digest(reference: reference))
    }

    /// The stored digest of a reference.
    static func digest(reference: String) -> [UInt8] { Array(SHA256.hash(data: Array(reference.utf8))) }

    /// The digest to look up for a presented `request_uri`, or `nil` when it is not one of ours.
    public static func digest(requestURI: String) -> [UInt8]? {
        guard requestURI.hasPrefix(requestURIPrefix) else { return nil }
        let reference = requestURI.dropFirst(requestURIPrefix.count)
        guard reference.utf8.count == 43, Base64URL.decode(String(reference))?.count == 32 else { return nil }
        return digest(reference: String(reference))
    }

    /// The request to store for a pushed body, or the error to answer: the body as /authsso would receive it, less
    /// the client's credentials, validated for `client` (already authenticated).
    public static func validate(_ form: OAuthParameters, client: OAuthClient, registry: ScopeRegistry = .standard)
        -> Result<OAuthParameters, OAuthError>
    {
        if form["request_uri"] != nil {
            return .failure(.invalidRequest("request_uri cannot be pushed (RFC 9126 §2.1)."))
        }
        if form["request"] != nil {
            return .failure(OAuthError(.requestNotSupported, "The request parameter is not supported."))
        }
        if let named = form["client_id"], named != client.clientID.rawValue {
            return .failure(.invalidRequest("The client_id parameter does not name the authenticated client."))
        }
        var values = form.values.filter { !credentialNames.contains($0.key) && $0.key != SignInDetourMarker.parameter }
        values["client_id"] = client.clientID.rawValue
        let parameters = OAuthParameters(values: values, repeatedNames: form.repeatedNames.subtracting(credentialNames))
        guard encode(parameters).utf8.count <= maximumLength else {
            return .failure(.invalidRequest("The request is longer than \(maximumLength) bytes."))
        }
        switch AuthorizationChecks.validate(parameters, client: client, registry: registry) {
        case .success: return .success(parameters)
        case .failure(let failure):
            let error = failure.error
            // A redirect URI that is not registered is invalid_request here (RFC 9126 §2.3); the rest keep their code.
            return .failure(OAuthError(error.code, error.description, logDetail: error.logDetail))
        }
    }

    /// What /authsso acts on for a request carrying `request_uri`, or the error its page shows: the stored request
    /// must exist, be unexpired and unspent, and belong to the `client_id` of the query (RFC 9126 §4, §7.3).
    public static func resolve(query: OAuthParameters, stored: PushedRequestRecord?) -> Result<OAuthParameters, OAuthError> {
        guard let named = query["client_id"], !query.repeatedNames.contains("client_id"), !query.repeatedNames.contains("request_uri") else {
            return .failure(
                .invalidRequest("A request_uri must come with the client_id it was pushed by.").notRedirectable().forPerson(.authorizeMalformed))
        }
        let refusal = OAuthError.invalidRequest("This sign-in link has expired or was already used. Start again from the app.")
            .forPerson(.authorizeLinkSpent)
        guard let stored else { return .failure(refusal.withDetail("request_uri unknown or expired")) }
        guard !stored.consumed else { return .failure(refusal.withDetail("request_uri used before")) }
        guard stored.clientID.rawValue == named else { return .failure(refusal.withDetail("request_uri pushed by another client")) }
        return .success(stored.parameters)
    }

    /// The refusal of a request that did not use PAR from a client that must (RFC 9126 §6), else `nil`.
    public static func requirement(for client: OAuthClient?, query: OAuthParameters) -> OAuthError? {
        guard let client, client.requiresPushedAuthorizationRequests, query["request_uri"] == nil else { return nil }
        return OAuthError.invalidRequest("This app must start sign-in through the pushed authorization request endpoint (RFC 9126).")
            .notRedirectable()
            .forPerson(Message("authorize.page.par_required", "This app must start sign-in another way. Start again from the app."))
    }

    /// The stored form of a request: sorted `name=value` pairs, form-encoded.
    public static func encode(_ parameters: OAuthParameters) -> String {
        parameters.values.sorted { $0.key < $1.key }.map { FormCodec.encode($0.key) + "=" + FormCodec.encode($0.value) }
            .joined(separator: "&")
    }

    /// A stored request read back; `nil` when it is not one ``encode(_:)`` wrote.
    public static func decode(_ text: String) -> OAuthParameters? {
        guard let pairs = try? FormCodec.parsePairs(Substring(text), what: "request") else { return nil }
        return OAuthParameters(pairs: pairs)
    }
}

extension OAuthError {
    /// The same error with a log detail, shown on a page rather than redirected.
    fileprivate func withDetail(_ detail: String) -> OAuthError {
        OAuthError(code, description, logDetail: detail, isRedirectable: false, personMessage: personMessage)
    }
}

/// A pushed request as stored.
public struct PushedRequestRecord: Sendable, Equatable {
    /// The client that pushed it.
    public let clientID: ClientID
    /// The request's parameters.
    public let parameters: OAuthParameters
    /// Whether its one use has happened.
    public let consumed: Bool

    /// A record.
    public init(clientID: ClientID, parameters: OAuthParameters, consumed: Bool) {
        self.clientID = clientID
        self.parameters = parameters
        self.consumed = consumed
    }
}

/// Pushed authorization requests (RFC 9126), by the SHA-256 of their reference.
public protocol PushedAuthorizationRequestStore {
    /// Stores a pushed request.
    func savePushedRequest(digest: [UInt8], clientID: ClientID, parameters: String, expiresAt: Date) throws
    /// The request under `digest` if it has not expired at `now` (spent ones too, marked), else `nil`.
    func pushedRequest(digest: [UInt8], now: Date) throws -> PushedRequestRecord?
    /// Spends the request: `true` for exactly one caller while it is unexpired and unspent (one conditional statement).
    func consumePushedRequest(digest: [UInt8], now: Date) throws -> Bool
    /// Deletes requests that expired before `before`; returns how many.
    func purgePushedRequests(before: Date) throws -> Int
}
