import Foundation

/// The claims of an OpenID Connect ID token (OIDC Core §2, §3.1.3.7).
///
/// `sub` is ``subject(for:)``: the user's id in decimal. It is stable (ids are never reused) and unique within
/// the issuer, at most 255 ASCII characters (OIDC Core §2); subject type `public` (pairwise identifiers are
/// out of scope). It reveals nothing the user's account pages do not.
public struct IDTokenClaims: Sendable, Equatable {
    /// `iss`: the issuer URL, exactly as in discovery.
    public var issuer: String
    /// `sub`.
    public var subject: String
    /// `aud`: the client the token is for (a single audience, written as a string).
    public var audience: ClientID
    /// `iat`.
    public var issuedAt: Date
    /// `exp`.
    public var expiresAt: Date
    /// `auth_time`: when the user last entered their credentials.
    public var authTime: Date?
    /// `amr`: how the user signed in, in the order used (OIDC Core §2, values from RFC 8176 §2); omitted when
    /// empty (not known, as on refresh).
    public var methods: [AuthenticationMethod]
    /// `nonce`, copied from the authorization request; omitted when it had none.
    public var nonce: String?
    /// `azp`: the authorized party; only needed when it differs from the single audience, so usually `nil`.
    public var authorizedParty: ClientID?
    /// `sid`: the browser session the token was issued under (``SessionIdentifier``; Back-Channel Logout §2.1).
    public var sessionID: String?

    /// Claims for a user and client, `exp` being `issuedAt` plus `lifetime`.
    public init(
        issuer: String, subject: String, audience: ClientID, issuedAt: Date, lifetime: TimeInterval, authTime: Date?,
        methods: [AuthenticationMethod] = [], nonce: String?, authorizedParty: ClientID? = nil
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.issuedAt = issuedAt
        self.expiresAt = issuedAt.addingTimeInterval(lifetime)
        self.authTime = authTime
        self.methods = methods
        self.nonce = nonce
        self.authorizedParty = authorizedParty
    }

    /// The `sub` of a user.
    public static func subject(for user: UserID) -> String { String(user.rawValue) }

    /// The claims as compact JSON in a fixed order: iss, sub, aud, exp, iat, auth_time, amr, nonce, azp, sid (absent
    /// ones omitted). Times are whole seconds since the epoch (NumericDate, RFC 7519 §2), rounded down.
    public var json: String {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("sub", .string(subject)), ("aud", .string(audience.rawValue)),
            ("exp", .int(Self.numericDate(expiresAt))), ("iat", .int(Self.numericDate(issuedAt))),
        ]
        if let authTime { members.append(("auth_time", .int(Self.numericDate(authTime)))) }
        if !methods.isEmpty { members.append(("amr", .array(methods.map { .string($0.rawValue) }))) }
        if let nonce { members.append(("nonce", .string(nonce))) }
        if let authorizedParty { members.append(("azp", .string(authorizedParty.rawValue))) }
        if let sessionID { members.append(("sid", .string(sessionID))) }
        return JSONValue.object(members).text
    }

    /// The signed ID token: a compact JWS with header `alg`, `kid`, `typ=JWT`.
    public func signed(with key: SigningKey) throws -> String {
        try JWS.compact(payload: json, key: key)
    }

    private static func numericDate(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}
