import Domain
import Foundation

/// A ``DirectoryConnector`` that answers from a script, for Domain and route tests: searches by the filter sent, binds
/// by DN and password. It records every filter searched and every DN bound, so tests can tell what reached the
/// "directory" (nothing, for a refusal that must come first).
final class ScriptedDirectory: DirectoryConnector, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: DirectoryEntry] = [:]
    private var searchFailure: DirectoryFailure?
    private var bindFailure: DirectoryFailure?
    private var passwords: [String: String] = [:]
    private var filters: [String] = []
    private var binds: [String] = []
    private var deadlines: [Date] = []
    /// Entries by the exact filter that finds them (several entries: an ambiguous filter).
    private var answers: [String: [DirectoryEntry]] = [:]

    init() {}

    /// The entries a search with `filter` returns.
    func answer(_ filter: String, with entries: [DirectoryEntry]) { lock.withLock { answers[filter] = entries } }
    /// The password whose bind as `dn` succeeds.
    func password(_ password: String, for dn: String) { lock.withLock { passwords[dn] = password } }
    /// Every search fails so (`nil`: searches answer again).
    func failSearches(_ failure: DirectoryFailure?) { lock.withLock { searchFailure = failure } }
    /// Every password check fails so.
    func failBinds(_ failure: DirectoryFailure?) { lock.withLock { bindFailure = failure } }
    /// The filters searched, in order.
    var searched: [String] { lock.withLock { filters } }
    /// The deadline every call was given, in order (searches and password checks).
    var deadlinesGiven: [Date] { lock.withLock { deadlines } }
    /// The DNs whose password was checked, in order.
    var bound: [String] { lock.withLock { binds } }

    func search(_ server: DirectoryServer, base: String, filter: String, attributes: [String], limit: Int, deadline: Date)
        throws(DirectoryFailure) -> DirectorySearchResult
    {
        let (failure, found): (DirectoryFailure?, [DirectoryEntry]) = lock.withLock {
            filters.append(filter)
            deadlines.append(deadline)
            return (searchFailure, answers[filter] ?? [])
        }
        if let failure { throw failure }
        return DirectorySearchResult(entries: Array(found.prefix(limit)), moreEntries: found.count > limit)
    }

    func checkPassword(_ server: DirectoryServer, dn: String, password: DirectorySecret, deadline: Date) throws(DirectoryFailure) -> Bool {
        let (failure, expected): (DirectoryFailure?, String?) = lock.withLock {
            binds.append(dn)
            deadlines.append(deadline)
            return (bindFailure, passwords[dn])
        }
        if let failure { throw failure }
        return expected == password.value
    }
}
