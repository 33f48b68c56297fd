import Domain
import Foundation

/// The in-memory twin of ``UpstreamStore`` for route and Domain tests; its people are a ``MemoryAccounts``'.
/// School 1 is `school-1`; `sourcedID` candidates are not modelled (none match).
final class MemoryUpstreamStore: UpstreamStore, @unchecked Sendable {
    private let lock = NSLock()
    private let accounts: MemoryAccounts
    private var providers: [String: UpstreamProvider] = [:]
    private var links: [(id: UpstreamLinkID, provider: UpstreamProviderID, subject: String, user: UserID, label: String, created: Date, used: Date)] =
        []
    private var policies: [SchoolID: SchoolSignInPolicy] = [:]
    private var domains: [String: SchoolID] = [:]
    private var nextID: Int64 = 1

    init(accounts: MemoryAccounts) { self.accounts = accounts }

    var linkCount: Int { lock.withLock { links.count } }

    func upstreamProviders() throws -> [UpstreamProvider] {
        lock.withLock { providers.values.sorted { ($0.schoolID != nil ? 1 : 0, $0.slug) < ($1.schoolID != nil ? 1 : 0, $1.slug) } }
    }

    func enabledUpstreamProviders(for school: SchoolID?) throws -> [UpstreamProvider] {
        try upstreamProviders().filter { $0.enabled && ($0.schoolID == nil || $0.schoolID == school) }
    }

    func upstreamProvider(slug: String) throws -> UpstreamProvider? { lock.withLock { providers[slug] } }

    func saveUpstreamProvider(_ provider: NewUpstreamProvider, now: Date) throws -> UpstreamProviderID {
        lock.withLock {
            let id = providers[provider.slug]?.id ?? UpstreamProviderID(nextID)
            nextID += 1
            providers[provider.slug] = UpstreamProvider(
                id: id, slug: provider.slug, schoolID: provider.schoolID, name: provider.name, kind: provider.kind, authority: provider.authority,
                clientID: provider.clientID, sealedSecret: provider.sealedSecret, linkRule: provider.linkRule, jitStudents: provider.jitStudents,
                enabled: provider.enabled)
            return id
        }
    }

    func removeUpstreamProvider(slug: String) throws -> Bool {
        lock.withLock {
            guard let removed = providers.removeValue(forKey: slug) else { return false }
            links.removeAll { $0.provider == removed.id }
            return true
        }
    }

    func linkedPerson(provider: UpstreamProviderID, subject: String) throws -> (link: UpstreamLinkID, person: UpstreamCandidate)? {
        let found = lock.withLock { links.first { $0.provider == provider && $0.subject == subject } }
        guard let found, let person = accounts.everyone().first(where: { $0.user.id == found.user }) else { return nil }
        return (found.id, UpstreamCandidate(user: person.user, active: person.active))
    }

    func createLink(provider: UpstreamProviderID, subject: String, user: UserID, label: String, now: Date) throws -> Bool {
        lock.withLock {
            guard !links.contains(where: { $0.provider == provider && $0.subject == subject }) else { return false }
            links.append((UpstreamLinkID(nextID), provider, subject, user, label, now, now))
            nextID += 1
            return true
        }
    }

    func touchLink(_ link: UpstreamLinkID, now: Date) throws {
        lock.withLock {
            if let index = links.firstIndex(where: { $0.id == link }) { links[index].used = now }
        }
    }

    func links(of user: UserID) throws -> [UpstreamLink] {
        lock.withLock {
            links.filter { $0.user == user }.reversed().map { link in
                let name = providers.values.first { $0.id == link.provider }?.name ?? ""
                return UpstreamLink(id: link.id, providerName: name, label: link.label, createdAt: link.created, lastUsedAt: link.used)
            }
        }
    }

    func removeLink(_ link: UpstreamLinkID, of user: UserID) throws -> Bool {
        lock.withLock {
            guard let index = links.firstIndex(where: { $0.id == link && $0.user == user }) else { return false }
            links.remove(at: index)
            return true
        }
    }

    func linkCandidates(email: String, school: SchoolID?) throws -> [UpstreamCandidate] {
        accounts.everyone().filter { $0.user.email == email.lowercased() && (school == nil || $0.user.schoolID == school) }
            .map { UpstreamCandidate(user: $0.user, active: $0.active) }
    }

    func linkCandidates(sourcedID: String, school: SchoolID?) throws -> [UpstreamCandidate] { [] }

    func linkCandidates(username: String, school: SchoolID?) throws -> [UpstreamCandidate] {
        accounts.everyone().filter { $0.user.username == username.lowercased() && (school == nil || $0.user.schoolID == school) }
            .map { UpstreamCandidate(user: $0.user, active: $0.active) }
    }

    private var usedTickets: [[UInt8]: Date] = [:]

    func consumeTicket(stateDigest: [UInt8], expiresAt: Date) throws -> Bool {
        lock.withLock {
            guard usedTickets[stateDigest] == nil else { return false }
            usedTickets[stateDigest] = expiresAt
            return true
        }
    }

    func purgeUsedTickets(before: Date) throws -> Int {
        lock.withLock {
            let old = usedTickets.filter { $0.value < before }.keys
            for key in old { usedTickets[key] = nil }
            return old.count
        }
    }

    func signInPolicy(of school: SchoolID) throws -> SchoolSignInPolicy { lock.withLock { policies[school] ?? .everyone } }

    func setSignInPolicy(_ policy: SchoolSignInPolicy, of school: SchoolID, now: Date) throws { lock.withLock { policies[school] = policy } }

    /// The twins' schools: 1 (everyone's) and 2 (a neighbour, for refusals across schools).
    func school(sourcedID: String) throws -> (id: SchoolID, name: String)? {
        switch sourcedID {
        case "school-1": (SchoolID(1), "School One")
        case "school-2": (SchoolID(2), "School Two")
        default: nil
        }
    }

    func schoolSourcedID(_ school: SchoolID) throws -> String? {
        switch school {
        case SchoolID(1): "school-1"
        case SchoolID(2): "school-2"
        default: nil
        }
    }

    func school(claimingDomain domain: String) throws -> (id: SchoolID, sourcedID: String)? {
        lock.withLock { domains[domain.lowercased()].map { ($0, "school-1") } }
    }

    func emailDomains(of school: SchoolID) throws -> [String] { lock.withLock { domains.filter { $0.value == school }.keys.sorted() } }

    func setEmailDomains(_ domains: [String], of school: SchoolID) throws {
        try lock.withLock {
            if domains.contains(where: { self.domains[$0] != nil && self.domains[$0] != school }) {
                throw StoreError(.conflict, detail: "claimed by another school")
            }
            self.domains = self.domains.filter { $0.value != school }
            for domain in domains { self.domains[domain] = school }
        }
    }
}
