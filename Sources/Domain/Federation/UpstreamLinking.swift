import Foundation

/// Which roster person an upstream identity signs in as (issue 14, item 2): the person its stored link names; on
/// the first sign-in, the one person the provider's ``UpstreamLinkRule`` finds (then linked); nobody else. No match
/// creates nobody, unless the provider may create students just in time. A deactivated person is refused by every
/// route, link or rule.
public struct UpstreamLinking {
    let store: any UpstreamStore
    let accounts: any AccountStore

    public init(store: any UpstreamStore, accounts: any AccountStore) {
        self.store = store
        self.accounts = accounts
    }

    /// The outcome for one identity.
    public enum Outcome: Sendable, Equatable {
        /// Sign in as `user`; `newLink`: this sign-in links the account (or, previewed, would link it).
        case person(UserAccount, newLink: Bool)
        /// A new student would be (was) created.
        case newStudent
        /// The school has no such person, or several match (the rule is ambiguous: nobody is guessed).
        case noSuchPerson
        /// The person is deactivated.
        case inactive(UserAccount)
    }

    /// What a sign-in would do, without writing anything (the admin's "test this provider").
    public func preview(_ identity: UpstreamIdentity, provider: UpstreamProvider) throws -> Outcome {
        if let linked = try store.linkedPerson(provider: provider.id, subject: identity.subject) {
            return linked.person.active ? .person(linked.person.user, newLink: false) : .inactive(linked.person.user)
        }
        let candidates = try candidates(identity, provider: provider)
        if candidates.count == 1 {
            return candidates[0].active ? .person(candidates[0].user, newLink: true) : .inactive(candidates[0].user)
        }
        return candidates.isEmpty && canCreateStudent(identity, provider) ? .newStudent : .noSuchPerson
    }

    /// The person to sign in as, linking or creating as the provider's rules say; `.noSuchPerson` and `.inactive`
    /// write nothing.
    public func resolve(_ identity: UpstreamIdentity, provider: UpstreamProvider, now: Date) throws -> Outcome {
        let label = identity.email ?? identity.subject
        if let linked = try store.linkedPerson(provider: provider.id, subject: identity.subject) {
            guard linked.person.active else { return .inactive(linked.person.user) }
            try store.touchLink(linked.link, now: now)
            return .person(linked.person.user, newLink: false)
        }
        switch try preview(identity, provider: provider) {
        case .person(let user, _):
            // A concurrent first sign-in of the same account may have linked it meanwhile: then the link decides.
            guard try store.createLink(provider: provider.id, subject: identity.subject, user: user.id, label: label, now: now) else {
                return try resolve(identity, provider: provider, now: now)
            }
            return .person(user, newLink: true)
        case .newStudent:
            // The email must be no one's yet (it is unique over the installation).
            guard let schoolID = provider.schoolID, let email = identity.email, try store.linkCandidates(email: email, school: nil).isEmpty
            else { return .noSuchPerson }
            let names = Self.names(identity)
            let id = try accounts.createUser(
                NewUser(role: .student, schoolID: schoolID, givenName: names.given, familyName: names.family, email: email, passwordHash: nil),
                now: now)
            guard try store.createLink(provider: provider.id, subject: identity.subject, user: id, label: label, now: now),
                let created = try accounts.activeUser(id)
            else { return .noSuchPerson }
            return .person(created.user, newLink: true)
        case let other:
            return other
        }
    }

    /// The person a school directory's entry names (issue 15): the one person of `school` that `rule` finds, by the
    /// same comparisons as a provider's first sign-in. No link is stored and nobody is created: the directory is asked
    /// at every sign-in, so its entry decides every time.
    public func match(_ identity: UpstreamIdentity, rule: UpstreamLinkRule, school: SchoolID) throws -> Outcome {
        let found = try candidates(identity, rule: rule, school: school)
        guard found.count == 1 else { return .noSuchPerson }
        return found[0].active ? .person(found[0].user, newLink: false) : .inactive(found[0].user)
    }

    /// The people the provider's rule finds.
    func candidates(_ identity: UpstreamIdentity, provider: UpstreamProvider) throws -> [UpstreamCandidate] {
        try candidates(identity, rule: provider.linkRule, school: provider.schoolID)
    }

    /// The people `rule` finds (in `school`, or anywhere when `nil`).
    func candidates(_ identity: UpstreamIdentity, rule: UpstreamLinkRule, school: SchoolID?) throws -> [UpstreamCandidate] {
        switch rule {
        case .email:
            guard identity.emailVerified, let email = identity.email, !email.isEmpty else { return [] }
            return try store.linkCandidates(email: email, school: school)
        case .sourcedID(let claim):
            guard let value = Self.claim(claim, of: identity) else { return [] }
            return try store.linkCandidates(sourcedID: value, school: school)
        case .username(let claim):
            guard let value = Self.claim(claim, of: identity) else { return [] }
            return try store.linkCandidates(username: value.lowercased(), school: school)
        }
    }

    /// A just-in-time student needs a school provider that allows it, a verified email no one has, and names.
    func canCreateStudent(_ identity: UpstreamIdentity, _ provider: UpstreamProvider) -> Bool {
        provider.jitStudents && provider.schoolID != nil && identity.emailVerified && identity.email != nil
    }

    /// A string claim, trimmed, if present and plausible.
    static func claim(_ name: String, of identity: UpstreamIdentity) -> String? {
        guard let value = identity.claims[member: name]?.stringValue?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
            value.utf8.count <= 255
        else { return nil }
        return value
    }

    /// Given and family names from the standard claims, else from the email's local part.
    static func names(_ identity: UpstreamIdentity) -> (given: String, family: String) {
        let given = claim("given_name", of: identity).map { String($0.prefix(100)) }
        let family = claim("family_name", of: identity).map { String($0.prefix(100)) }
        if let given, let family { return (given, family) }
        let local = identity.email.map { String($0.prefix(while: { $0 != "@" })) } ?? "Student"
        return (given ?? String(local.prefix(100)), family ?? "")
    }
}
