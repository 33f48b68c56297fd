import Crypto
import Foundation

/// What a `private_key_jwt` assertion is checked against: the client's keys (`nil` when they could not be had), the
/// audiences the provider answers to, and the time.
public struct ClientAssertionContext: Sendable {
    /// The client's keys; `nil` refuses every assertion (unregistered, or its `jwks_uri` unreachable).
    public let keys: ClientKeySet?
    /// Accepted `aud` values: the token endpoint's URL and the issuer.
    public let audiences: [String]
    /// Now.
    public let now: Date

    /// A context.
    public init(keys: ClientKeySet?, audiences: [String], now: Date) {
        self.keys = keys
        self.audiences = audiences
        self.now = now
    }
}

/// The rules of a client assertion (RFC 7523 §3, §2.2; OIDC Core §9 `private_key_jwt`), in order:
///
/// | # | rule | reference |
/// |---|------|-----------|
/// | 1 | `alg` one of RS256, PS256, ES256 (never `none` or HMAC); no `crit` header | RFC 7523 §3 item 9, RFC 8725 §3.1 |
/// | 2 | `iss` and `sub` both the client_id | RFC 7523 §3 items 1–2, OIDC Core §9 |
/// | 3 | `aud` (string or array) contains the token endpoint URL or the issuer | RFC 7523 §3 item 3 |
/// | 4 | `exp` present, not past (30 s of skew) and at most ``maximumLifetime`` ahead | RFC 7523 §3 item 4 |
/// | 5 | `nbf` and `iat`, when present, not in the future (30 s of skew) | RFC 7523 §3 items 5–6 |
/// | 6 | `jti` present, 1–255 bytes (its single use is the replay cache's: ``ClientAssertionUseStore``) | RFC 7523 §3 item 7 |
/// | 7 | the signature verifies with a registered key that has the header's `kid` (any fitting key when none) | RFC 7523 §3 item 9 |
///
/// Every refusal is `invalid_client` at the endpoint; the reason goes only to the log.
public enum ClientAssertionRules {
    /// `client_assertion_type` of a JWT assertion (RFC 7523 §2.2).
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// Longest time an assertion may still be valid for: a short exp keeps the replay cache small.
    public static let maximumLifetime: TimeInterval = 300
    /// Clock difference tolerated between client and server.
    public static let clockSkew: TimeInterval = 30
    /// Longest `jti`.
    public static let maximumJTILength = 255

    /// An assertion that passed every rule: what the replay cache records.
    public struct Accepted: Sendable, Equatable {
        /// ``replayDigest(clientID:jti:)``.
        public let replayDigest: [UInt8]
        /// Until when the replay cache must remember it (`exp` + skew).
        public let rememberUntil: Date
    }

    /// Why an assertion was refused (for the log).
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Runs every rule for an assertion presented as `clientID`.
    public static func check(_ assertion: String, clientID: ClientID, context: ClientAssertionContext) -> Result<Accepted, Refusal> {
        let jws: CompactJWS
        do { jws = try CompactJWS(assertion) } catch { return .failure(Refusal(reason: error.description)) }
        // 1.
        guard let algorithm = jws.algorithm, ClientKeySet.algorithms.contains(algorithm) else {
            return .failure(Refusal(reason: "alg \(jws.algorithm ?? "missing") is not accepted"))
        }
        if jws.header[member: "crit"] != nil { return .failure(Refusal(reason: "a crit header is not understood")) }
        let claims = jws.payload
        // 2.
        guard claims[member: "iss"]?.stringValue == clientID.rawValue, claims[member: "sub"]?.stringValue == clientID.rawValue else {
            return .failure(Refusal(reason: "iss and sub must both be the client_id"))
        }
        // 3.
        let audiences: [String]
        switch claims[member: "aud"] {
        case .string(let one): audiences = [one]
        case .array(let many): audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(where: { context.audiences.contains($0) }) else {
            return .failure(Refusal(reason: "aud \(audiences) is neither the token endpoint nor the issuer"))
        }
        // 4.
        let now = context.now.timeIntervalSince1970
        guard let exp = claims[member: "exp"]?.intValue else { return .failure(Refusal(reason: "exp is missing")) }
        guard Double(exp) > now - clockSkew else { return .failure(Refusal(reason: "the assertion expired")) }
        guard Double(exp) <= now + maximumLifetime + clockSkew else {
            return .failure(Refusal(reason: "exp is more than \(Int(maximumLifetime)) s ahead"))
        }
        // 5.
        for name in ["nbf", "iat"] {
            guard let value = claims[member: name] else { continue }
            guard let seconds = value.intValue, Double(seconds) <= now + clockSkew else {
                return .failure(Refusal(reason: "\(name) is not a time in the past"))
            }
        }
        // 6.
        guard let jti = claims[member: "jti"]?.stringValue, !jti.isEmpty, jti.utf8.count <= maximumJTILength else {
            return .failure(Refusal(reason: "jti is missing or longer than \(maximumJTILength) bytes"))
        }
        // 7.
        guard let keys = context.keys else { return .failure(Refusal(reason: "the client's keys are not available")) }
        let candidates = keys.candidates(kid: jws.keyID, algorithm: algorithm)
        guard !candidates.isEmpty else {
            return .failure(Refusal(reason: "no registered key fits kid \(jws.keyID ?? "(none)") and alg \(algorithm)"))
        }
        guard candidates.contains(where: { $0.verifies(jws.signature, over: jws.signingInput, algorithm: algorithm) }) else {
            return .failure(Refusal(reason: "the signature does not verify"))
        }
        return .success(
            Accepted(
                replayDigest: replayDigest(clientID: clientID, jti: jti),
                rememberUntil: Date(timeIntervalSince1970: Double(exp) + clockSkew)))
    }

    /// The replay cache's key of an assertion: SHA-256 of the client_id and the `jti` (a `jti` is unique per issuer).
    public static func replayDigest(clientID: ClientID, jti: String) -> [UInt8] {
        var input = Array("client-assertion\u{0}".utf8)
        input += Array(clientID.rawValue.utf8) + [0] + Array(jti.utf8)
        return Array(SHA256.hash(data: input))
    }

    /// The `kid` of an assertion's header, to decide whether keys must be fetched again (``ClientKeyCache``).
    public static func keyID(of assertion: String) -> String? { (try? CompactJWS(assertion))?.keyID }
}

/// The replay cache of client assertions (RFC 7523 §3 item 7): each `jti` of a client is accepted once until the
/// assertion expires.
public protocol ClientAssertionUseStore {
    /// Records an assertion's use; `false` when that digest was recorded before (a replay). One atomic statement: of
    /// two concurrent uses exactly one gets `true`.
    func recordAssertionUse(digest: [UInt8], expiresAt: Date) throws -> Bool
    /// Deletes entries that expired before `before`; returns how many.
    func purgeAssertionUses(before: Date) throws -> Int
}
