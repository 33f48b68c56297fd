import Foundation

/// An `id_token_hint` (RP-Initiated Logout 1.0 §2) that this provider issued: its signature verifies with one of
/// our published keys (RS256 or ES256, found by `kid`) and its `iss` is ours. An expired hint is accepted (§4: the
/// point of a logout is often that the ID token has expired); the hint only says whose session the app means.
public struct IDTokenHint: Sendable, Equatable {
    /// `sub`.
    public let subject: String
    /// The single `aud` (or `azp` when `aud` lists several): the client the token was issued to.
    public let audience: ClientID
    /// `sid`, when the token carried one.
    public let sessionID: String?

    /// A hint's contents (``verify(_:issuer:keys:)`` is how a presented one is read).
    public init(subject: String, audience: ClientID, sessionID: String?) {
        self.subject = subject
        self.audience = audience
        self.sessionID = sessionID
    }

    /// Why a hint is refused; the text is the page's explanation.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Verifies `token` against our key set and issuer.
    public static func verify(_ token: String, issuer: String, keys: JSONWebKeySet) -> Result<IDTokenHint, Refusal> {
        guard let jws = try? CompactJWS(token) else { return .failure(Refusal("The id_token_hint is not a signed token.")) }
        guard let algorithm = jws.algorithm, ["RS256", "ES256"].contains(algorithm), let kid = jws.keyID, let key = keys.keys[kid],
            key.algorithm == algorithm, JSONWebKeySet.verify(jws.signature, over: jws.signingInput, key: key, algorithm: algorithm)
        else { return .failure(Refusal("The id_token_hint was not signed by this provider.")) }
        let claims = jws.payload
        guard claims[member: "iss"]?.stringValue == issuer else {
            return .failure(Refusal("The id_token_hint was issued by another provider."))
        }
        guard let subject = claims[member: "sub"]?.stringValue, !subject.isEmpty else {
            return .failure(Refusal("The id_token_hint names no subject."))
        }
        let audience: String?
        if let single = claims[member: "aud"]?.stringValue {
            audience = single
        } else if let list = claims[member: "aud"]?.arrayValue, list.count == 1 {
            audience = list[0].stringValue
        } else {
            audience = claims[member: "azp"]?.stringValue
        }
        guard let audience, !audience.isEmpty else { return .failure(Refusal("The id_token_hint names no client.")) }
        return .success(IDTokenHint(subject: subject, audience: ClientID(audience), sessionID: claims[member: "sid"]?.stringValue))
    }
}
