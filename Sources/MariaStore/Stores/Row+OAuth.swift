import Domain
import Foundation
import Synchronization

extension Row {
    /// A space-separated scope column (RFC 6749 §3.3) as its scope tokens, in stored order.
    func scopeList(_ name: String) -> [String] { ScopeColumns.parsed(self[name]).list }

    /// A scope column as a set (a client's allowed scopes, which every bearer check intersects with).
    func scopeSet(_ name: String) -> Set<String> { ScopeColumns.parsed(self[name]).set }

    /// A space-separated `amr` column (``AuthenticationMethod`` names, in the order used).
    func methodList(_ name: String) -> [AuthenticationMethod] {
        words(name, separator: UInt8(ascii: " ")).map { AuthenticationMethod(rawValue: $0) }
    }

    /// A column's value cut at every `separator` byte (an ASCII separator), empty pieces left out; NULL is none.
    /// Split on the UTF-8 bytes: `String.split` compares `Character`s (grapheme breaking), and splitting a
    /// client's allowed scopes that way was a third of a token lookup's cost.
    func words(_ name: String, separator: UInt8) -> [String] {
        let bytes: [UInt8]
        switch self[name] {
        case .bytes(let value): bytes = value
        default:
            guard let text = string(name) else { return [] }
            bytes = Array(text.utf8)
        }
        return bytes.split(separator: separator).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `subject_type` (an ENUM, never another value); public when the column is not selected.
    func subjectType() -> SubjectType { SubjectType(rawValue: string("subject_type") ?? "") ?? .public }

    /// `id_token_signed_response_alg` (an ENUM); RS256 when the column is not selected.
    func idTokenSigningAlgorithm() -> SigningKeyRecord.Algorithm {
        SigningKeyRecord.Algorithm(rawValue: string("id_token_signed_response_alg") ?? "") ?? .rs256
    }

    /// A client read with ``MariaClientStore/clientColumns``.
    func oauthClient() -> OAuthClient { oauthClient(redirectURIs: words("redirect_uris", separator: UInt8(ascii: "\n"))) }

    /// A client read with ``MariaClientStore/ownColumns``, with these redirect URIs.
    func oauthClient(redirectURIs: [String]) -> OAuthClient {
        OAuthClient(
            clientID: ClientID(string("client_id") ?? ""), name: string("name") ?? "", description: string("description") ?? "",
            logoURL: string("logo_url"), homepageURL: string("homepage_url"), privacyURL: string("privacy_url"),
            termsURL: string("terms_url"), developerName: string("developer_name") ?? "", verified: flag("verified"),
            firstParty: flag("first_party"), kind: OAuthClient.Kind(rawValue: string("kind") ?? "") ?? .public,
            // Redirect URIs cannot contain a line feed (RFC 3986 §2), so it separates them in one column.
            redirectURIs: redirectURIs,
            allowedScopes: scopeSet("allowed_scopes"),
            // An unreadable status must never read as active.
            status: OAuthClient.Status(rawValue: string("status") ?? "") ?? .disabled,
            requiresDPoP: flag("dpop_bound_access_tokens"), privateKeyJWT: clientKeyRegistration(),
            requiresPushedAuthorizationRequests: flag("require_pushed_authorization_requests"), subjectType: subjectType(),
            idTokenSigningAlgorithm: idTokenSigningAlgorithm())
    }

    /// The `private_key_jwt` registration of a client row (0040's columns), `nil` for other methods.
    func clientKeyRegistration() -> ClientKeyRegistration? {
        guard string("token_endpoint_auth_method") == ClientKeyRegistration.methodName else { return nil }
        if let jwks = string("jwks") { return ClientKeyRegistration(source: .document(jwks)) }
        if let uri = string("jwks_uri") { return ClientKeyRegistration(source: .uri(uri)) }
        // Registered for keys but with none: every assertion is refused, and no secret counts either.
        return ClientKeyRegistration(source: .document(""))
    }

    /// A token read with ``MariaTokenStore``'s token columns: its own, its grant's and its client's.
    func storedToken() -> StoredToken? {
        guard let kind = StoredToken.Kind(rawValue: string("kind") ?? ""), let grant: GrantID = id("grant_id"),
            let client = string("client_id"), let issued = date("issued_at"), let expires = date("expires_at")
        else { return nil }
        return StoredToken(
            kind: kind, grantID: grant, clientID: ClientID(client), userID: id("user_id"), scopes: scopeList("scopes"),
            issuedAt: issued, expiresAt: expires, revokedAt: date("revoked_at"), rotatedAt: date("rotated_at"),
            confirmation: string("dpop_jkt"), subjectType: subjectType())
    }
}

extension Sequence<String> {
    /// Scope tokens as the space-separated column value (RFC 6749 §3.3).
    var scopeColumn: String { joined(separator: " ") }
}

extension Sequence<AuthenticationMethod> {
    /// Methods as the space-separated `amr` column value. RFC 8176 §2 names are short ASCII tokens without
    /// spaces; a name the column cannot hold fails the insert (strict SQL mode) instead of being stored altered.
    var methodColumn: String { map(\.rawValue).joined(separator: " ") }
}

/// Scope column values already split, by their bytes: a process has few distinct ones (each client's allowed
/// scopes, the scope sets its users grant), while every token lookup reads three of them, and splitting a client's
/// allowed scopes into strings and a set was most of a bearer check's cost. A value maps to the same scopes
/// forever (the key is the column's content, not a row), so nothing here can be stale; the table is emptied when
/// it grows past ``limit``.
enum ScopeColumns {
    /// The scopes of one column value, as a list in stored order and as a set.
    struct Parsed: Sendable {
        let list: [String]
        let set: Set<String>
    }

    private static let table = Mutex<[[UInt8]: Parsed]>([:])
    /// Distinct values kept at most.
    static let limit = 4096

    /// The scopes of a column value (NULL: none).
    static func parsed(_ value: SQLValue) -> Parsed {
        let bytes: [UInt8]
        switch value {
        case .bytes(let raw): bytes = raw
        case .text(let text): bytes = Array(text.utf8)
        case .null: return Parsed(list: [], set: [])
        case .int(let number): bytes = Array(String(number).utf8)
        case .double(let number): bytes = Array(String(number).utf8)
        case .date: return Parsed(list: [], set: [])
        }
        if let known = table.withLock({ $0[bytes] }) { return known }
        let list = bytes.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        let parsed = Parsed(list: list, set: Set(list))
        table.withLock { table in
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[bytes] = parsed
        }
        return parsed
    }
}
