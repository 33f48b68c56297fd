import Crypto
import Foundation

/// What a browser carries between our redirect to an upstream provider and its return to the callback: which
/// provider, the `state` and `nonce` we sent, the PKCE verifier, where to go afterwards, and when it began.
///
/// It lives in a cookie, sealed with AES-256-GCM (the verifier is a secret, and a sealed ticket cannot be forged
/// or edited), and binds the callback to the browser that started the sign-in: a `state` that does not match the
/// cookie's (a callback from someone else's sign-in, login CSRF) or a second use of the same callback (the cookie
/// is cleared at the first) is refused. It counts for ``lifetime``.
public struct UpstreamSignInTicket: Sendable, Equatable {
    /// How long a sign-in at the provider may take.
    public static let lifetime: TimeInterval = 600

    /// The provider's id in our configuration.
    public let provider: String
    public let state: String
    public let nonce: String
    public let codeVerifier: String
    /// Where the person goes after signing in (a local path, e.g. the authorization request to resume).
    public let next: String?
    public let startedAt: Date
    /// Set when a school admin runs "test this provider": the round trip ends on a page of the claims, for that
    /// admin alone, and signs nobody in.
    public let testedBy: UserID?

    public init(
        provider: String, state: String, nonce: String, codeVerifier: String, next: String?, startedAt: Date, testedBy: UserID? = nil
    ) {
        self.provider = provider
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.next = next
        self.startedAt = startedAt
        self.testedBy = testedBy
    }

    /// A new ticket with fresh random `state`, `nonce` (128 bits each) and PKCE verifier (256 bits).
    public static func start(
        provider: String, next: String?, now: Date, testedBy: UserID? = nil, using generator: inout some RandomNumberGenerator
    ) -> Self {
        func random(_ count: Int) -> String {
            SecretToken.base64URL((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        return Self(
            provider: provider, state: random(16), nonce: random(16), codeVerifier: random(32), next: next, startedAt: now, testedBy: testedBy)
    }

    /// The cookie value: base64url of the sealed JSON.
    public func sealed(key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws -> String {
        let document: JSONValue = [
            "p": .string(provider), "s": .string(state), "n": .string(nonce), "v": .string(codeVerifier), "x": .optional(next),
            "t": .int(Int(startedAt.timeIntervalSince1970)), "a": testedBy.map { .int(Int($0.rawValue)) } ?? .null,
        ]
        return SecretToken.base64URL(
            try KeySealing.seal(document.serialized(), key: key, associatedData: Self.associatedData, using: &generator))
    }

    /// The ticket in a cookie value, if it opens under `key` and is younger than ``lifetime``.
    public static func open(_ cookie: String?, key: SymmetricKey, now: Date) -> Self? {
        guard let cookie, cookie.utf8.count <= 4096, let sealed = Base64URL.decode(cookie),
            let plain = try? KeySealing.open(sealed, key: key, associatedData: associatedData),
            let document = try? JSONParser.parse(plain),
            let provider = document[member: "p"]?.stringValue, let state = document[member: "s"]?.stringValue,
            let nonce = document[member: "n"]?.stringValue, let verifier = document[member: "v"]?.stringValue,
            let seconds = document[member: "t"]?.intValue
        else { return nil }
        let started = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now >= started.addingTimeInterval(-60), now.timeIntervalSince(started) <= lifetime else { return nil }
        return Self(
            provider: provider, state: state, nonce: nonce, codeVerifier: verifier, next: document[member: "x"]?.stringValue,
            startedAt: started, testedBy: document[member: "a"]?.intValue.map { UserID(Int64($0)) })
    }

    /// Whether the callback's `state` is this ticket's (constant time).
    public func matches(state received: String?) -> Bool {
        guard let received else { return false }
        return SecretToken.constantTimeEquals(Array(received.utf8), Array(state.utf8))
    }

    private static let associatedData = Array("catalystwells upstream sign-in ticket v1".utf8)
}
