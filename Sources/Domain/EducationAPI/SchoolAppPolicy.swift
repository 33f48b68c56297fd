import Foundation

/// A school's decision about one app (DESIGN §4 "school app policies"): allowed, optionally limited to some
/// scopes, or blocked.
///
/// A school without a decision about an app follows ``SchoolAppPolicy/default``: allowed, unlimited. Apps
/// reach the main database only after the platform's review, so an approved app starts usable, as it was
/// before schools could decide; a school that wants to opt in app by app blocks first. (Blocking by default
/// would also cut off every installation's existing connected apps the moment this shipped.)
public struct SchoolAppPolicy: Sendable, Equatable {
    /// The decision.
    public enum Status: String, Sendable, CaseIterable {
        case allowed, blocked
    }

    /// The decision.
    public let status: Status
    /// When set, the only scopes users of the school may grant the app.
    public let scopeLimit: Set<String>?

    /// A policy.
    public init(status: Status, scopeLimit: Set<String>?) {
        self.status = status
        self.scopeLimit = scopeLimit
    }

    /// The policy of a school that has not decided.
    public static let `default` = SchoolAppPolicy(status: .allowed, scopeLimit: nil)

    /// Whether users of the school may authorize the app at all.
    public var allowsAuthorization: Bool { status == .allowed }

    /// The scopes, of those the consent page would offer, that the school lets its users grant.
    public func permitted(_ scopes: [ScopeDefinition]) -> [ScopeDefinition] {
        guard let scopeLimit else { return scopes }
        return scopes.filter { scopeLimit.contains($0.name) }
    }
}

/// An app as a school admin's list shows it.
public struct SchoolAppEntry: Sendable, Equatable {
    /// The app.
    public let client: OAuthClient
    /// The school's decision; `nil` when it has made none (``SchoolAppPolicy/default`` applies).
    public let policy: SchoolAppPolicy?
    /// Users of the school who asked for it while it was blocked and are still waiting.
    public let pendingRequests: Int

    /// An entry.
    public init(client: OAuthClient, policy: SchoolAppPolicy?, pendingRequests: Int) {
        self.client = client
        self.policy = policy
        self.pendingRequests = pendingRequests
    }
}

/// Schools' decisions about apps and their users' requests to allow one.
public protocol SchoolAppPolicyStore {
    /// The school's decision about a client; `nil` when it has made none. A school that requires agreements
    /// (``AgreementSettings/requireAgreement``) has every app it has not decided about blocked: `.blocked`.
    func policy(school: SchoolID, client: ClientID) throws -> SchoolAppPolicy?
    /// Every active client with the school's decision and its pending requests, by name.
    func apps(for school: SchoolID) throws -> [SchoolAppEntry]
    /// Records the school's decision. Blocking also revokes, in the same transaction, every grant and token of
    /// the client held for users of the school and ends their unexchanged codes, so the block takes effect
    /// at once; deciding clears the pending requests. Returns how many grants were revoked. `.constraint` when
    /// the client does not exist.
    func setPolicy(_ policy: SchoolAppPolicy, school: SchoolID, client: ClientID, by admin: UserID, now: Date) throws -> Int
    /// Queues a user's request that the school allow a blocked app (one per user and app).
    func requestAccess(school: SchoolID, client: ClientID, user: UserID, now: Date) throws
}
