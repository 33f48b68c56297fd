import Crypto

/// How a client sees a person's `sub` (OIDC Core §8).
public enum SubjectType: String, Sendable, Equatable, CaseIterable {
    /// The person's id in decimal, the same for every client (``IDTokenClaims/subject(for:)``).
    case `public`
    /// An identifier of the person for this client alone (OIDC Core §8.1), which two apps cannot match up.
    case pairwise

    /// The type a client gets when it is first stored: pairwise for every third-party app, public only for the
    /// operator's first-party clients. An existing client keeps the type it was stored with, because apps key their
    /// accounts on `sub` and a changed `sub` would strand every person's account in the app.
    public static func forNewClient(firstParty: Bool) -> SubjectType { firstParty ? .public : .pairwise }
}

/// Computes the `sub` a client sees, the same in ID tokens, userinfo, introspection, logout tokens and webhooks.
///
/// A pairwise subject is `base64url(HMAC-SHA256(key, client_id || 0x00 || user id))`, 43 characters: stable for a
/// person and an app, unrelated between apps, and not reversible without the key. Each app is its own sector (no
/// `sector_identifier_uri`): a redirect host is not proof that two apps belong together, and a student's
/// identifiers should not be matchable across a developer's apps either. The key is derived from the OAuth key file
/// (``OAuthKeyMaterial/subjects``): replacing that file changes every pairwise subject.
public struct SubjectIdentifiers: Sendable {
    private let key: SymmetricKey

    /// Identifiers under `key`.
    public init(key: SymmetricKey) { self.key = key }

    /// Identifiers under the key derived from the OAuth key file's bytes (as ``OAuthKeyMaterial`` derives it, for the
    /// commands that have the file but no other key material).
    public init(oauthKey secret: [UInt8]) { key = KeyDerivation.key(from: secret, for: "catalystwells pairwise subjects v1") }

    /// The `sub` of `user` for `client`, whose subject type is `type`.
    public func subject(for user: UserID, client: ClientID, type: SubjectType) -> String {
        switch type {
        case .public:
            return IDTokenClaims.subject(for: user)
        case .pairwise:
            var message = Array(client.rawValue.utf8)
            message.append(0)
            message += Array(String(user.rawValue).utf8)
            return SecretToken.base64URL(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
        }
    }
}
