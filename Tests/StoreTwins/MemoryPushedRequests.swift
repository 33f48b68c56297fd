import Domain
import Foundation

/// ``PushedAuthorizationRequestStore`` and ``ClientAssertionUseStore`` in memory, with the contracts of the MariaDB
/// store (`MariaTokenStore+PAR.swift`); `Tests/MariaStoreTests/PushedRequestStoreTests.swift` runs the same cases on both.
final class MemoryPushedRequests: PushedAuthorizationRequestStore, ClientAssertionUseStore, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [[UInt8]: (clientID: ClientID, parameters: String, expiresAt: Date, consumed: Bool)] = [:]
    private var assertionUses: [[UInt8]: Date] = [:]

    init() {}

    func savePushedRequest(digest: [UInt8], clientID: ClientID, parameters: String, expiresAt: Date) throws {
        try lock.withLock {
            guard requests[digest] == nil else { throw StoreError(.duplicate, detail: "pushed request exists") }
            requests[digest] = (clientID, parameters, expiresAt, false)
        }
    }

    func pushedRequest(digest: [UInt8], now: Date) throws -> PushedRequestRecord? {
        lock.withLock {
            guard let entry = requests[digest], entry.expiresAt > now, let parameters = PushedAuthorizationRequest.decode(entry.parameters)
            else { return nil }
            return PushedRequestRecord(clientID: entry.clientID, parameters: parameters, consumed: entry.consumed)
        }
    }

    func consumePushedRequest(digest: [UInt8], now: Date) throws -> Bool {
        lock.withLock {
            guard let entry = requests[digest], entry.expiresAt > now, !entry.consumed else { return false }
            requests[digest]?.consumed = true
            return true
        }
    }

    func purgePushedRequests(before: Date) throws -> Int {
        lock.withLock {
            let expired = requests.filter { $0.value.expiresAt < before }.map(\.key)
            for key in expired { requests[key] = nil }
            return expired.count
        }
    }

    func recordAssertionUse(digest: [UInt8], expiresAt: Date) throws -> Bool {
        lock.withLock {
            guard assertionUses[digest] == nil else { return false }
            assertionUses[digest] = expiresAt
            return true
        }
    }

    func purgeAssertionUses(before: Date) throws -> Int {
        lock.withLock {
            let expired = assertionUses.filter { $0.value < before }.map(\.key)
            for key in expired { assertionUses[key] = nil }
            return expired.count
        }
    }
}
