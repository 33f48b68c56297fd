import Foundation

/// A provider to add or replace (by slug).
public struct NewUpstreamProvider: Sendable {
    public var slug: String
    public var schoolID: SchoolID?
    public var name: String
    public var kind: UpstreamProviderKind
    public var authority: String
    public var clientID: String
    public var sealedSecret: [UInt8]
    public var linkRule: UpstreamLinkRule
    public var jitStudents: Bool
    public var enabled: Bool

    public init(
        slug: String, schoolID: SchoolID?, name: String, kind: UpstreamProviderKind, authority: String, clientID: String,
        sealedSecret: [UInt8], linkRule: UpstreamLinkRule, jitStudents: Bool, enabled: Bool
    ) {
        self.slug = slug
        self.schoolID = schoolID
        self.name = name
        self.kind = kind
        self.authority = authority
        self.clientID = clientID
        self.sealedSecret = sealedSecret
        self.linkRule = linkRule
        self.jitStudents = jitStudents
        self.enabled = enabled
    }
}

/// A person an upstream account may sign in as, active or not (a deactivated person is refused, not skipped).
public struct UpstreamCandidate: Sendable, Equatable {
    public let user: UserAccount
    public let active: Bool

    public init(user: UserAccount, active: Bool) {
        self.user = user
        self.active = active
    }
}

/// Upstream providers, the links from their accounts to people, and the schools' sign-in settings (main database).
public protocol UpstreamStore {
    /// Every provider, platform-wide ones first.
    func upstreamProviders() throws -> [UpstreamProvider]
    /// The enabled providers a school's people may use: the school's and the platform-wide ones (`nil`: only those).
    func enabledUpstreamProviders(for school: SchoolID?) throws -> [UpstreamProvider]
    /// One provider by slug.
    func upstreamProvider(slug: String) throws -> UpstreamProvider?
    /// Adds the provider, or replaces the one with the same slug (its links are kept). Returns its id.
    func saveUpstreamProvider(_ provider: NewUpstreamProvider, now: Date) throws -> UpstreamProviderID
    /// Removes a provider and its links; `false` when there was none.
    func removeUpstreamProvider(slug: String) throws -> Bool

    /// The person an upstream account is linked to.
    func linkedPerson(provider: UpstreamProviderID, subject: String) throws -> (link: UpstreamLinkID, person: UpstreamCandidate)?
    /// Links an upstream account to a person; `false` when the account is already linked (to anyone).
    func createLink(provider: UpstreamProviderID, subject: String, user: UserID, label: String, now: Date) throws -> Bool
    /// Records a sign-in through a link.
    func touchLink(_ link: UpstreamLinkID, now: Date) throws
    /// A person's links, newest first.
    func links(of user: UserID) throws -> [UpstreamLink]
    /// Removes one of a person's links; `false` when the person has no such link.
    func removeLink(_ link: UpstreamLinkID, of user: UserID) throws -> Bool

    /// The people (active or not) a first sign-in could be linked to: by roster email, or by the `sourcedId` or
    /// username. `school`: only that school's people (`nil`: any school's).
    func linkCandidates(email: String, school: SchoolID?) throws -> [UpstreamCandidate]
    func linkCandidates(sourcedID: String, school: SchoolID?) throws -> [UpstreamCandidate]
    func linkCandidates(username: String, school: SchoolID?) throws -> [UpstreamCandidate]

    /// A school's sign-in policy (``SchoolSignInPolicy/everyone`` when it decided nothing).
    func signInPolicy(of school: SchoolID) throws -> SchoolSignInPolicy
    func setSignInPolicy(_ policy: SchoolSignInPolicy, of school: SchoolID, now: Date) throws
    /// A school by its roster `sourcedId`: id and name.
    func school(sourcedID: String) throws -> (id: SchoolID, name: String)?
    /// A school's roster `sourcedId` (its printable sign-in link names it).
    func schoolSourcedID(_ school: SchoolID) throws -> String?
    /// The school that claimed an email domain: id and `sourcedId`.
    func school(claimingDomain domain: String) throws -> (id: SchoolID, sourcedID: String)?
    /// A school's claimed domains, sorted.
    func emailDomains(of school: SchoolID) throws -> [String]
    /// Replaces a school's domains. Throws ``StoreError`` `.conflict` when another school has claimed one of them.
    func setEmailDomains(_ domains: [String], of school: SchoolID) throws
}
