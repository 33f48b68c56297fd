import Domain
import Foundation

/// The ``DirectoryConnector`` over libldap, one per thread (a libldap handle is used by one thread at a time).
///
/// **Connections.** The service account's connection is kept and reused by the thread's later sign-ins to the same
/// directory (same servers, CA file and service account: a changed setting is a different key), so a sign-in
/// usually costs one search round trip on it. The person's bind runs on a second, short-lived connection: re-binding
/// the kept connection as the person and back as the service account would leave it bound as the person if the
/// second bind failed (the next search would then run with the person's rights), and RFC 4513 §5.1 leaves a failed
/// bind's connection anonymous. A kept connection unused for ``idleLimit`` is closed before use (directories close
/// idle connections: Active Directory's MaxConnIdleTime is 900 s), and one that fails as unreachable is replaced
/// once.
///
/// **Failover.** Endpoints are tried in their order; the next one only when the previous could not be used (not
/// reached, timed out, TLS failed). An answer (a refused service account, a refused search, a referral) is final.
public final class LDAPDirectoryClient: DirectoryConnector {
    /// Seconds to connect (TCP and TLS).
    public static let connectTimeout = 5
    /// Seconds for one operation (StartTLS, bind, search).
    public static let operationTimeout = 10
    /// Seconds a kept connection may stay unused.
    static let idleLimit: TimeInterval = 300
    /// Kept connections per thread (one per directory used).
    static let capacity = 4

    private var kept: [(server: DirectoryServer, connection: LDAPConnection, lastUsed: Date)] = []

    public init() {}

    public func search(_ server: DirectoryServer, base: String, filter: String, attributes: [String], limit: Int, deadline: Date)
        throws(DirectoryFailure)
        -> DirectorySearchResult
    {
        if let index = kept.firstIndex(where: { $0.server == server }) {
            let entry = kept.remove(at: index)
            if Date().timeIntervalSince(entry.lastUsed) < Self.idleLimit {
                do {
                    let result = try entry.connection.search(
                        base: base, filter: filter, attributes: attributes, limit: limit, timeout: Self.operationTimeout, deadline: deadline)
                    keep(server, entry.connection)
                    return result
                } catch  where error.kind != .unreachable {
                    // An answer from a working connection (a refusal, a timeout) is the answer.
                    throw error
                } catch {
                    // The server closed the kept connection: connect again below.
                }
            }
        }
        var failures: [DirectoryFailure] = []
        for endpoint in server.endpoints {
            do {
                let connection = try serviceConnection(server, endpoint, deadline: deadline)
                let result = try connection.search(
                    base: base, filter: filter, attributes: attributes, limit: limit, timeout: Self.operationTimeout, deadline: deadline)
                keep(server, connection)
                return result
            } catch  where error.triesNextEndpoint {
                failures.append(error)
            }
        }
        throw Self.combined(failures)
    }

    public func checkPassword(_ server: DirectoryServer, dn: String, password: DirectorySecret, deadline: Date) throws(DirectoryFailure) -> Bool {
        // Never an unauthenticated bind (RFC 4513 §5.1.2): an empty password is no password (Domain refuses it first).
        guard !password.value.isEmpty, !dn.isEmpty else { return false }
        var failures: [DirectoryFailure] = []
        for endpoint in server.endpoints {
            do {
                let connection = try LDAPConnection(
                    endpoint: endpoint, caCertificates: server.caCertificates, connectTimeout: Self.connectTimeout,
                    operationTimeout: Self.operationTimeout,
                    deadline: deadline)
                return try connection.bind(dn: dn, password: password, timeout: Self.operationTimeout, deadline: deadline) == 0
            } catch  where error.triesNextEndpoint {
                failures.append(error)
            }
        }
        throw Self.combined(failures)
    }

    /// A new connection to `endpoint`, bound as the service account.
    private func serviceConnection(_ server: DirectoryServer, _ endpoint: DirectoryEndpoint, deadline: Date) throws(DirectoryFailure)
        -> LDAPConnection
    {
        let connection = try LDAPConnection(
            endpoint: endpoint, caCertificates: server.caCertificates, connectTimeout: Self.connectTimeout, operationTimeout: Self.operationTimeout,
            deadline: deadline)
        guard try connection.bind(dn: server.bindDN, password: server.bindPassword, timeout: Self.operationTimeout, deadline: deadline) == 0 else {
            throw DirectoryFailure(.serviceAccountRefused, "\(endpoint.uri): the service account \(server.bindDN) was refused (invalid credentials)")
        }
        return connection
    }

    private func keep(_ server: DirectoryServer, _ connection: LDAPConnection) {
        kept.removeAll { $0.server == server }
        kept.append((server, connection, Date()))
        if kept.count > Self.capacity { kept.removeFirst() }
    }

    /// One failure for every endpoint that could not be used, with every endpoint's detail. Its kind is the most
    /// telling one: a certificate that did not verify (something the school must fix) before a timeout before an
    /// endpoint that could not be reached.
    private static func combined(_ failures: [DirectoryFailure]) -> DirectoryFailure {
        let order: [DirectoryFailure.Kind] = [.tls, .timedOut, .unreachable]
        guard let kind = order.first(where: { kind in failures.contains { $0.kind == kind } }) ?? failures.last?.kind else {
            return DirectoryFailure(.other, "no endpoint configured")
        }
        return DirectoryFailure(kind, failures.map(\.detail).joined(separator: "; "))
    }
}
