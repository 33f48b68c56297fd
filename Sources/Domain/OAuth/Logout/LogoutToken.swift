import Foundation

/// The claims of a logout token (OIDC Back-Channel Logout 1.0 §2.4): `iss`, `aud` (the client), `iat`, `exp`, `jti`,
/// `sub` and/or `sid`, and `events` with the back-channel logout member; never a `nonce` (§2.4 forbids it, so a
/// logout token cannot pass for an ID token). Signed as a JWS with `typ` `logout+jwt` (§2.4, RFC 8725 §3.11).
public struct LogoutToken: Sendable, Equatable {
    /// The member name of `events`.
    public static let event = "http://schemas.openid.net/event/backchannel-logout"
    /// The JWS `typ`.
    public static let type = "logout+jwt"
    /// `exp - iat`: the receiver should refuse older tokens; two minutes is what §2.4 suggests.
    public static let lifetime: TimeInterval = 120

    public let issuer: String
    public let audience: ClientID
    public let issuedAt: Date
    public let id: String
    /// `sub`: the user's subject as the app sees it in their ID tokens (``SubjectIdentifiers``).
    public let subject: String?
    /// `sid`: the session (``SessionIdentifier``).
    public let sessionID: String?

    /// A token for one client; at least one of `subject` and `sessionID` must be present (§2.4).
    public init(issuer: String, audience: ClientID, issuedAt: Date, id: String, subject: String?, sessionID: String?) {
        precondition(subject != nil || sessionID != nil, "a logout token names a subject, a session or both")
        self.issuer = issuer
        self.audience = audience
        self.issuedAt = issuedAt
        self.id = id
        self.subject = subject
        self.sessionID = sessionID
    }

    /// The claims as compact JSON: iss, aud, iat, exp, jti, sub, sid, events.
    public var json: String {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("aud", .string(audience.rawValue)), ("iat", .int(Self.seconds(issuedAt))),
            ("exp", .int(Self.seconds(issuedAt.addingTimeInterval(Self.lifetime)))), ("jti", .string(id)),
        ]
        if let subject { members.append(("sub", .string(subject))) }
        if let sessionID { members.append(("sid", .string(sessionID))) }
        members.append(("events", .object([(Self.event, .object([]))])))
        return JSONValue.object(members).text
    }

    /// The signed token.
    public func signed(with key: SigningKey) throws -> String {
        try JWS.compact(payload: json, key: key, type: Self.type)
    }

    private static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }
}
