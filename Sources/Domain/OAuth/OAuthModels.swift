import Foundation

/// A client's public identifier (`client_id`), as registered.
public struct ClientID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// Database id of a grant: one user's authorisation of one client, from which a family of tokens descends
/// (RFC 9700 §4.14: revoking the grant revokes every token of the family).
public typealias GrantID = RecordID<GrantRecord>
public enum GrantRecord {}

/// A registered OAuth client (a third-party or first-party app).
public struct OAuthClient: Sendable, Equatable {
    public enum Kind: String, Sendable { case confidential, `public` }
    public enum Status: String, Sendable { case active, suspended, disabled }

    public let clientID: ClientID
    public var name: String
    public var description: String
    public var logoURL: String?
    public var homepageURL: String?
    public var privacyURL: String?
    public var termsURL: String?
    public var developerName: String
    public var verified: Bool
    public var firstParty: Bool
    public var kind: Kind
    /// Registered redirect URIs, compared by exact string (loopback may vary the port; see ``RedirectURIRule``).
    public var redirectURIs: [String]
    /// Scopes the client may ever be granted.
    public var allowedScopes: Set<String>
    public var status: Status
    /// Whether its token requests must carry a DPoP proof, so every token it gets is DPoP-bound (RFC 9449 §5.2,
    /// client metadata `dpop_bound_access_tokens`). Set for public clients registered through the developer portal
    /// since DPoP was introduced; earlier clients and operator-created ones keep bearer tokens unless set.
    public var requiresDPoP: Bool
    /// How the client sees people's `sub` (``SubjectType``): fixed when the client is first stored.
    public var subjectType: SubjectType
    /// Where its keys are when it authenticates with `private_key_jwt` (RFC 7523); `nil`: secrets (or nothing, for a
    /// public client).
    public var privateKeyJWT: ClientKeyRegistration?
    /// Whether /authsso takes its requests only through the PAR endpoint (RFC 9126 §6,
    /// `require_pushed_authorization_requests`).
    public var requiresPushedAuthorizationRequests: Bool
    /// How its ID tokens and logout tokens are signed (`id_token_signed_response_alg`): RS256 unless registered.
    public var idTokenSigningAlgorithm: SigningKeyRecord.Algorithm

    public init(
        clientID: ClientID, name: String, description: String = "", logoURL: String? = nil, homepageURL: String? = nil,
        privacyURL: String? = nil, termsURL: String? = nil, developerName: String, verified: Bool = false,
        firstParty: Bool = false, kind: Kind, redirectURIs: [String], allowedScopes: Set<String>, status: Status = .active,
        requiresDPoP: Bool = false, privateKeyJWT: ClientKeyRegistration? = nil, requiresPushedAuthorizationRequests: Bool = false,
        subjectType: SubjectType = .public, idTokenSigningAlgorithm: SigningKeyRecord.Algorithm = .rs256
    ) {
        self.idTokenSigningAlgorithm = idTokenSigningAlgorithm
        self.requiresDPoP = requiresDPoP
        self.privateKeyJWT = privateKeyJWT
        self.requiresPushedAuthorizationRequests = requiresPushedAuthorizationRequests
        self.subjectType = subjectType
        self.clientID = clientID
        self.name = name
        self.description = description
        self.logoURL = logoURL
        self.homepageURL = homepageURL
        self.privacyURL = privacyURL
        self.termsURL = termsURL
        self.developerName = developerName
        self.verified = verified
        self.firstParty = firstParty
        self.kind = kind
        self.redirectURIs = redirectURIs
        self.allowedScopes = allowedScopes
        self.status = status
    }
}

/// What an authorization code was issued for; stored (by the code's digest) until it is exchanged.
public struct AuthorizationCodeGrant: Sendable, Equatable {
    public let clientID: ClientID
    public let userID: UserID
    public let redirectURI: String
    public let scopes: [String]
    /// The S256 `code_challenge`, or `nil` when the confidential client sent none.
    public let codeChallenge: String?
    public let nonce: String?
    /// When the user last signed in (OIDC `auth_time`).
    public let authTime: Date
    /// How the user signed in, in the order used (OIDC `amr`, RFC 8176); empty when not known.
    public let methods: [AuthenticationMethod]
    public let expiresAt: Date
    /// The SHA-256 of the cookie of the browser session the code was issued under (the grant keeps it, so the
    /// session's end finds its apps; ``SessionIdentifier`` makes the ID token's `sid` of it); `nil` when not known.
    public let sessionDigest: [UInt8]?
    /// The DPoP key thumbprint the authorization request bound the code to (`dpop_jkt`, RFC 9449 §10); `nil` when
    /// it named none.
    public let dpopJKT: String?

    public init(
        clientID: ClientID, userID: UserID, redirectURI: String, scopes: [String], codeChallenge: String?, nonce: String?,
        authTime: Date, methods: [AuthenticationMethod], expiresAt: Date, sessionDigest: [UInt8]? = nil, dpopJKT: String? = nil
    ) {
        self.dpopJKT = dpopJKT
        self.sessionDigest = sessionDigest
        self.clientID = clientID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.authTime = authTime
        self.methods = methods
        self.expiresAt = expiresAt
    }
}

/// A stored access or refresh token, as looked up by its digest.
public struct StoredToken: Sendable, Equatable {
    public enum Kind: String, Sendable { case access, refresh }
    public let kind: Kind
    public let grantID: GrantID
    public let clientID: ClientID
    /// `nil` for client_credentials tokens.
    public let userID: UserID?
    public let scopes: [String]
    public let issuedAt: Date
    public let expiresAt: Date
    /// Set when the token was revoked (alone or with its grant).
    public let revokedAt: Date?
    /// Refresh tokens only: when it was exchanged for a new one.
    public let rotatedAt: Date?
    /// The JWK thumbprint of the key the token is bound to (RFC 9449 §6: `cnf.jkt`); `nil` for a bearer token.
    public let confirmation: String?
    /// How its client sees people's `sub` (the client's ``OAuthClient/subjectType``).
    public let subjectType: SubjectType

    public init(
        kind: Kind, grantID: GrantID, clientID: ClientID, userID: UserID?, scopes: [String], issuedAt: Date, expiresAt: Date,
        revokedAt: Date?, rotatedAt: Date?, confirmation: String? = nil, subjectType: SubjectType = .public
    ) {
        self.confirmation = confirmation
        self.subjectType = subjectType
        self.kind = kind
        self.grantID = grantID
        self.clientID = clientID
        self.userID = userID
        self.scopes = scopes
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.rotatedAt = rotatedAt
    }

    /// Usable at `now`: not revoked, not expired (and for refresh tokens, not yet rotated).
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && rotatedAt == nil && expiresAt > now
    }
}

/// A token to store: its digest and what it carries. The token itself is never stored.
public struct NewToken: Sendable, Equatable {
    public let digest: [UInt8]
    public let kind: StoredToken.Kind
    public let expiresAt: Date
    /// Narrower scopes than the grant's (an access token from a refresh that asked for fewer, RFC 6749 §6);
    /// `nil` for the grant's own.
    public let scopes: [String]?
    /// The DPoP key thumbprint it is bound to (RFC 9449 §6); `nil` for a bearer token.
    public let confirmation: String?
    public init(digest: [UInt8], kind: StoredToken.Kind, expiresAt: Date, scopes: [String]? = nil, confirmation: String? = nil) {
        self.confirmation = confirmation
        self.digest = digest
        self.kind = kind
        self.expiresAt = expiresAt
        self.scopes = scopes
    }

    /// The same token, expiring at `limit` if that is sooner (a grant's absolute end).
    public func expiring(notAfter limit: Date) -> NewToken {
        NewToken(digest: digest, kind: kind, expiresAt: min(expiresAt, limit), scopes: scopes, confirmation: confirmation)
    }
}

/// A user's standing consent to a client.
public struct Consent: Sendable, Equatable {
    public let clientID: ClientID
    public let scopes: Set<String>
    public let firstGrantedAt: Date
    public let lastUsedAt: Date?
    public init(clientID: ClientID, scopes: Set<String>, firstGrantedAt: Date, lastUsedAt: Date?) {
        self.clientID = clientID
        self.scopes = scopes
        self.firstGrantedAt = firstGrantedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A key that signs ID tokens. The private key is stored encrypted by the caller (AES-GCM, key file outside
/// the database); stores see only the sealed bytes.
public struct SigningKeyRecord: Sendable, Equatable {
    public enum Algorithm: String, Sendable { case rs256 = "RS256", es256 = "ES256" }
    public let kid: String
    public let algorithm: Algorithm
    /// The private key sealed with AES-256-GCM (nonce ‖ ciphertext ‖ tag).
    public let sealedPrivateKey: [UInt8]
    /// The public key as a JWK JSON object.
    public let publicJWK: String
    public let createdAt: Date
    /// When it stopped signing; it stays published until tokens it signed have expired.
    public let retiredAt: Date?
    /// When it starts signing: it is published at once and signs only from then on, so every copy of the JWKS a
    /// relying party may have fetched meanwhile holds it (issue 18). `nil`: since it was created.
    public let notBefore: Date?
    public init(
        kid: String, algorithm: Algorithm, sealedPrivateKey: [UInt8], publicJWK: String, createdAt: Date, retiredAt: Date?, notBefore: Date? = nil
    ) {
        self.notBefore = notBefore
        self.kid = kid
        self.algorithm = algorithm
        self.sealedPrivateKey = sealedPrivateKey
        self.publicJWK = publicJWK
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}
