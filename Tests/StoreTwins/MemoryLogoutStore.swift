import Domain
import Foundation

/// ``LogoutStore`` in memory, over the twins that hold the sessions (``MemoryAccounts``) and grants
/// (``MemoryOAuthStore``), with the contract of `MariaLogoutStore` (`LogoutStoreConformanceTests` runs the same cases on both).
final class MemoryLogoutStore: LogoutStore, @unchecked Sendable {
    private struct Row {
        let id: Int64
        let client: ClientID
        let user: UserID
        let session: [UInt8]?
        let createdAt: Date
        var attempts = 0
        var nextAttemptAt: Date?
        var deliveredAt: Date?
        var lastStatus: Int?
        var lastError: String?
    }

    private let lock = NSLock()
    private let accounts: MemoryAccounts
    private let oauth: MemoryOAuthStore
    private var registrations: [ClientID: ClientLogoutRegistration] = [:]
    private var rows: [Row] = []

    init(accounts: MemoryAccounts, oauth: MemoryOAuthStore) {
        self.accounts = accounts
        self.oauth = oauth
    }

    func logoutRegistration(of client: ClientID) throws -> ClientLogoutRegistration? {
        guard oauth.hasClient(client) else { return nil }
        return lock.withLock { registrations[client] ?? ClientLogoutRegistration() }
    }

    func setLogoutRegistration(_ registration: ClientLogoutRegistration, of client: ClientID) throws -> Bool {
        guard registration.problems().isEmpty else {
            throw StoreError(.constraint, detail: "setLogoutRegistration: \(registration.problems().map(\.english).joined(separator: " "))")
        }
        guard oauth.hasClient(client) else { return false }
        lock.withLock { registrations[client] = registration }
        return true
    }

    func queueBackchannelLogouts(sessionDigests: [[UInt8]], now: Date) throws -> Int {
        let granted = oauth.grantedSessions(sessionDigests)
        return lock.withLock {
            var seen: [(ClientID, UserID, [UInt8])] = []
            for entry in granted where registrations[entry.client]?.backchannelLogoutURI != nil {
                guard !seen.contains(where: { $0.0 == entry.client && $0.1 == entry.user && $0.2 == entry.session }) else { continue }
                seen.append((entry.client, entry.user, entry.session))
                rows.append(
                    Row(id: Int64(rows.count + 1), client: entry.client, user: entry.user, session: entry.session, createdAt: now, nextAttemptAt: now)
                )
            }
            return seen.count
        }
    }

    func session(ofGrant grant: GrantID) throws -> GrantSession? {
        guard let digest = oauth.sessionDigest(ofGrant: grant), let times = accounts.sessionTimes(digest: digest) else { return nil }
        return GrantSession(digest: digest, createdAt: times.created, lastSeenAt: times.seen)
    }

    func endSessions(digests: [[UInt8]], now: Date) throws -> Int {
        // The twin is one lock at a time: queue for the stored ones, then remove them.
        let stored = digests.filter { accounts.sessionTimes(digest: $0) != nil }
        guard !stored.isEmpty else { return 0 }
        let queued = try queueBackchannelLogouts(sessionDigests: stored, now: now)
        _ = accounts.removeSessions(stored)
        return queued
    }

    func endExpiredSessions(now: Date, idleSince: Date, limit: Int) throws -> ExpiredSessionsEnded {
        let expired = accounts.expiredSessionDigests(now: now, idleSince: idleSince, limit: limit)
        guard !expired.isEmpty else { return ExpiredSessionsEnded() }
        let logouts = try endSessions(digests: expired, now: now)
        return ExpiredSessionsEnded(sessions: expired.count, logouts: logouts)
    }

    func sessionDigests(of user: UserID, keeping: [UInt8]?) throws -> [[UInt8]] { accounts.sessionDigests(of: user, keeping: keeping) }

    func sessionDigest(number: Int64, of user: UserID) throws -> [UInt8]? { accounts.sessionDigest(number: number, of: user) }

    func revokeGrants(sessionDigest: [UInt8], now: Date) throws -> Int { oauth.revokeGrants(sessionDigest: sessionDigest, now: now) }

    func claimDueBackchannelLogouts(now: Date, lease: TimeInterval, limit: Int) throws -> [BackchannelLogoutJob] {
        lock.withLock {
            var jobs: [BackchannelLogoutJob] = []
            let due = rows.indices.filter { rows[$0].nextAttemptAt.map { $0 <= now } ?? false }
                .sorted { rows[$0].nextAttemptAt! < rows[$1].nextAttemptAt! }.prefix(limit)
            for index in due {
                guard let uri = registrations[rows[index].client]?.backchannelLogoutURI else {
                    rows[index].nextAttemptAt = nil
                    rows[index].lastError = "no back-channel logout URI registered any more"
                    continue
                }
                let row = rows[index]
                // As MariaLogoutStore reads them from the client row: how it sees `sub` and how its tokens are signed.
                let client = (try? oauth.client(row.client)) ?? nil
                jobs.append(
                    BackchannelLogoutJob(
                        id: row.id, clientID: row.client, uri: uri, user: row.user, sessionDigest: row.session, attempts: row.attempts,
                        subjectType: client?.subjectType ?? .public, signingAlgorithm: client?.idTokenSigningAlgorithm ?? .rs256))
                rows[index].attempts += 1
                rows[index].nextAttemptAt = now.addingTimeInterval(lease)
            }
            return jobs
        }
    }

    func recordBackchannelAttempt(_ id: Int64, deliveredAt: Date?, status: Int?, error: String?, nextAttemptAt: Date?) throws {
        lock.withLock {
            guard let index = rows.firstIndex(where: { $0.id == id }) else { return }
            rows[index].deliveredAt = deliveredAt
            rows[index].lastStatus = status
            rows[index].lastError = error.map { String($0.prefix(255)) }
            rows[index].nextAttemptAt = nextAttemptAt
        }
    }

    func purgeFinishedBackchannelLogouts(before: Date, limit: Int) throws -> Int {
        lock.withLock {
            let gone = rows.filter { $0.nextAttemptAt == nil && $0.createdAt < before }.prefix(limit).map(\.id)
            rows.removeAll { gone.contains($0.id) }
            return gone.count
        }
    }

    func backchannelLogouts(of client: ClientID, limit: Int) throws -> [BackchannelLogoutEntry] {
        lock.withLock {
            rows.filter { $0.client == client }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(limit).map {
                BackchannelLogoutEntry(
                    id: $0.id, createdAt: $0.createdAt, attempts: $0.attempts, deliveredAt: $0.deliveredAt, nextAttemptAt: $0.nextAttemptAt,
                    lastStatus: $0.lastStatus, lastError: $0.lastError)
            }
        }
    }
}
