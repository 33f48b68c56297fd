import Foundation

/// What an upstream provider's ID token must be for the sign-in that asked for it (OIDC Core §3.1.3.7).
public struct UpstreamIDTokenExpectations: Sendable {
    /// The provider's issuer identifiers, exactly (Entra ID: one per accepted tenant, see ``UpstreamProviderKind``).
    public var issuers: Set<String>
    /// Our client id at the provider: the audience.
    public var clientID: String
    /// The nonce this sign-in sent.
    public var nonce: String
    /// Now.
    public var now: Date
    /// Clock difference tolerated between us and the provider, in seconds.
    public var skew: TimeInterval

    public init(issuers: Set<String>, clientID: String, nonce: String, now: Date, skew: TimeInterval = 120) {
        self.issuers = issuers
        self.clientID = clientID
        self.nonce = nonce
        self.now = now
        self.skew = skew
    }
}

/// Why an upstream ID token (or the identity in it) was refused. ``problem`` is what the page says (keyed; the page
/// escapes it), ``message`` its English; neither quotes the token.
public enum UpstreamSignInRefusal: Error, Sendable, Equatable {
    case malformed(String)
    case algorithmNotAllowed(String)
    case unknownKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case expired
    case issuedInTheFuture
    case nonceMismatch
    case missingSubject
    case emailNotVerified
    case wrongDomain
    case wrongTenant

    /// What the sign-in page says, in English (logs, tests).
    public var message: String { problem.english }

    /// What the sign-in page says, keyed (`upstream.refusal.*`): the algorithm the provider named is an argument,
    /// shown as it sent it.
    public var problem: Message {
        switch self {
        case .malformed: Message("upstream.refusal.malformed", "The provider's answer could not be read.")
        case .algorithmNotAllowed(let alg) where alg.isEmpty:
            Message(
                "upstream.refusal.no_algorithm", "The provider signed its answer with no algorithm, which is not accepted (RS256 or ES256 only).")
        case .algorithmNotAllowed(let alg):
            Message(
                "upstream.refusal.algorithm", "The provider signed its answer with \(alg), which is not accepted (RS256 or ES256 only).",
                ["algorithm": alg])
        case .unknownKey: Message("upstream.refusal.unknown_key", "The provider's answer was signed with a key it does not publish.")
        case .badSignature: Message("upstream.refusal.bad_signature", "The provider's answer has a signature that does not verify.")
        case .wrongIssuer: Message("upstream.refusal.wrong_issuer", "The answer came from another issuer than the one configured.")
        case .wrongAudience: Message("upstream.refusal.wrong_audience", "The answer was meant for another application.")
        case .expired: Message("upstream.refusal.expired", "The provider's answer has expired; try again.")
        case .issuedInTheFuture:
            Message("upstream.refusal.issued_in_future", "The provider's answer is dated in the future; check the server clocks.")
        case .nonceMismatch: Message("upstream.refusal.nonce", "The answer does not belong to this sign-in (nonce); start again.")
        case .missingSubject: Message("upstream.refusal.no_subject", "The provider's answer names no account.")
        case .emailNotVerified: Message("upstream.refusal.email_not_verified", "The provider has not verified this account's email address.")
        case .wrongDomain: Message("upstream.refusal.wrong_domain", "This account is not in one of the school's domains.")
        case .wrongTenant: Message("upstream.refusal.wrong_tenant", "This account is not in the school's Microsoft tenant.")
        }
    }

    /// A short word for the log line.
    public var logReason: String {
        switch self {
        case .malformed(let detail): "malformed (\(detail))"
        case .algorithmNotAllowed(let alg): "algorithm \(alg) not allowed"
        default: "\(self)"
        }
    }
}

/// An ID token whose signature, issuer, audience, times and nonce were checked: its claims can be believed.
public struct VerifiedIDToken: Sendable, Equatable {
    public let issuer: String
    public let subject: String
    public let claims: JSONValue
}

/// The checks of an upstream ID token, in the order OIDC Core §3.1.3.7 gives them, with RS256 and ES256 as the
/// only algorithms (`none`, HMAC with a public key as secret, and everything else are refused before any key is
/// looked at).
public enum UpstreamIDTokenRules {
    /// The algorithms accepted.
    public static let allowedAlgorithms: Set<String> = ["RS256", "ES256"]

    /// Checks `token` against the provider's `keys` and what this sign-in expects.
    ///
    /// `.unknownKey` means the caller may fetch the provider's JWKS again (once) and retry: the provider may have
    /// rotated its keys.
    public static func verify(
        _ token: String, keys: JSONWebKeySet, expecting expected: UpstreamIDTokenExpectations
    ) -> Result<VerifiedIDToken, UpstreamSignInRefusal> {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(token)
        } catch {
            return .failure(.malformed(error.reason))
        }
        let algorithm = jws.algorithm ?? ""
        guard allowedAlgorithms.contains(algorithm) else { return .failure(.algorithmNotAllowed(String(algorithm.prefix(20)))) }
        if jws.header[member: "crit"] != nil { return .failure(.malformed("critical header parameters")) }
        let key: JSONWebKeySet.Key?
        if let kid = jws.keyID {
            key = keys.keys[kid]
        } else {
            // Without a kid, only an unambiguous key will do.
            let candidates = keys.keys.values.filter { $0.algorithm == algorithm }
            key = candidates.count == 1 ? candidates.first : nil
        }
        guard let key else { return .failure(.unknownKey) }
        guard JSONWebKeySet.verify(jws.signature, over: jws.signingInput, key: key, algorithm: algorithm) else {
            return .failure(.badSignature)
        }

        let claims = jws.payload
        guard let issuer = claims[member: "iss"]?.stringValue, expected.issuers.contains(issuer) else { return .failure(.wrongIssuer) }
        let audiences: [String]
        switch claims[member: "aud"] {
        case .string(let one): audiences = [one]
        case .array(let many): audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(expected.clientID) else { return .failure(.wrongAudience) }
        // Several audiences: the token must say it was issued to us (azp), or another audience could replay it.
        if let azp = claims[member: "azp"]?.stringValue, azp != expected.clientID { return .failure(.wrongAudience) }
        if audiences.count > 1, claims[member: "azp"]?.stringValue != expected.clientID { return .failure(.wrongAudience) }
        guard let exp = claims[member: "exp"]?.intValue, let iat = claims[member: "iat"]?.intValue else {
            return .failure(.malformed("exp or iat missing"))
        }
        let now = expected.now.timeIntervalSince1970
        guard Double(exp) + expected.skew > now else { return .failure(.expired) }
        guard Double(iat) - expected.skew <= now else { return .failure(.issuedInTheFuture) }
        if let nbf = claims[member: "nbf"]?.intValue, Double(nbf) - expected.skew > now { return .failure(.issuedInTheFuture) }
        guard let nonce = claims[member: "nonce"]?.stringValue,
            SecretToken.constantTimeEquals(Array(nonce.utf8), Array(expected.nonce.utf8))
        else { return .failure(.nonceMismatch) }
        guard let subject = claims[member: "sub"]?.stringValue, !subject.isEmpty, subject.utf8.count <= 255 else {
            return .failure(.missingSubject)
        }
        return .success(VerifiedIDToken(issuer: issuer, subject: subject, claims: claims))
    }
}
