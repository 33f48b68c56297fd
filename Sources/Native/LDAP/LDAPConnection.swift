import CLDAP
import Domain
import Foundation

/// One libldap handle to one server, its connection protected as its ``DirectoryEndpoint`` says: TLS from the start
/// (LDAPS) or StartTLS before anything else (RFC 4511 §4.14), a certificate that must verify against the CA file and
/// name the host, TLS 1.2 or later, referrals never chased, and the connect and operation timeouts set on the handle.
final class LDAPConnection {
    /// `LDAP` is an incomplete struct in ldap.h, hence an opaque pointer.
    private let handle: OpaquePointer
    let endpoint: DirectoryEndpoint
    private let connectTimeout: Int

    /// Where the system keeps its trust store (Debian's ca-certificates): used when a school names no CA file, so
    /// nothing in /etc/ldap/ldap.conf or the environment decides what is trusted.
    static let systemTrustStore = "/etc/ssl/certs/ca-certificates.crt"

    /// Sets up the handle and, for `ldap://`, upgrades the connection with StartTLS (which connects). LDAPS and plain
    /// endpoints connect on the first operation.
    init(endpoint: DirectoryEndpoint, caCertificates: String, connectTimeout: Int, operationTimeout: Int, deadline: Date) throws(DirectoryFailure) {
        _ = LDAPConnection.globalInit
        let connectTimeout = try Self.seconds(connectTimeout, before: deadline, step: "connect", uri: endpoint.uri)
        let operationTimeout = try Self.seconds(operationTimeout, before: deadline, step: "StartTLS", uri: endpoint.uri)
        var made: OpaquePointer?
        let status = ldap_initialize(&made, endpoint.uri)
        guard status == LDAP_SUCCESS, let made else {
            throw DirectoryFailure(.other, "\(endpoint.uri): ldap_initialize: \(String(cString: ldap_err2string(status)))")
        }
        // From here a throw runs deinit, which unbinds (PITFALLS: a throwing init of a class that owns a handle).
        handle = made
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        try option(LDAP_OPT_PROTOCOL_VERSION, cw_ldap_set_int(handle, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3))
        try option(LDAP_OPT_REFERRALS, cw_ldap_referrals_off(handle))
        try option(LDAP_OPT_RESTART, cw_ldap_set_int(handle, LDAP_OPT_RESTART, 1))
        try option(LDAP_OPT_NETWORK_TIMEOUT, cw_ldap_set_timeout(handle, LDAP_OPT_NETWORK_TIMEOUT, connectTimeout))
        try option(LDAP_OPT_TIMEOUT, cw_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, operationTimeout))
        if endpoint.security != .plain {
            let caFile: String
            do {
                caFile = caCertificates.isEmpty ? Self.systemTrustStore : try LDAPTrustFile.path(for: caCertificates)
            } catch {
                throw DirectoryFailure(.tls, "\(endpoint.uri): the school's CA certificates could not be written for libldap: \(error)")
            }
            try option(LDAP_OPT_X_TLS_REQUIRE_CERT, cw_ldap_set_int(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND))
            try option(
                LDAP_OPT_X_TLS_CACERTFILE, cw_ldap_set_string(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile))
            try option(LDAP_OPT_X_TLS_PROTOCOL_MIN, cw_ldap_set_int(handle, LDAP_OPT_X_TLS_PROTOCOL_MIN, cw_ldap_tls_1_2))
            // The options above apply to this handle's own TLS context only once it is made (ldap_get_option(3)).
            let newContext = cw_ldap_set_int(handle, LDAP_OPT_X_TLS_NEWCTX, 0)
            guard newContext == LDAP_OPT_SUCCESS else {
                throw DirectoryFailure(.tls, "\(endpoint.uri): the TLS settings were refused (are the CA certificates valid PEM?)")
            }
        }
        if endpoint.security == .startTLS {
            let started = ldap_start_tls_s(handle, nil, nil)
            guard started == LDAP_SUCCESS else { throw failure(started, during: "StartTLS", defaultKind: .tls) }
        }
    }

    deinit {
        ldap_unbind_ext_s(handle, nil, nil)
    }

    /// `ldap_initialize` reads /etc/ldap/ldap.conf once per process, and a process must not die of SIGPIPE when a
    /// directory closes the connection under a write: the default action is ignored unless someone (libfcgi, in the
    /// pools) installed a handler already. Run once, before the first handle (a static `let`).
    private static let globalInit: Bool = {
        var current = sigaction()
        if sigaction(SIGPIPE, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil {
            signal(SIGPIPE, SIG_IGN)
        }
        return cw_ldap_set_int(nil, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND) == LDAP_OPT_SUCCESS
    }()

    /// A simple bind; returns the result code (0 success, 49 invalid credentials), throws when the server could
    /// not be used.
    func bind(dn: String, password: DirectorySecret, timeout: Int, deadline: Date) throws(DirectoryFailure) -> Int32 {
        let timeout = try Self.seconds(timeout, before: deadline, step: "bind", uri: endpoint.uri)
        try option(LDAP_OPT_TIMEOUT, cw_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, timeout))
        let status = cw_ldap_simple_bind(handle, dn, password.value, ber_len_t(password.value.utf8.count))
        switch status {
        case LDAP_SUCCESS, LDAP_INVALID_CREDENTIALS: return status
        default: throw failure(status, during: "bind", defaultKind: .other)
        }
    }

    /// A subtree search for at most `limit` entries.
    func search(base: String, filter: String, attributes: [String], limit: Int, timeout: Int, deadline: Date) throws(DirectoryFailure)
        -> DirectorySearchResult
    {
        let timeout = try Self.seconds(timeout, before: deadline, step: "search", uri: endpoint.uri)
        var names: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { for name in names { free(name) } }
        var result: OpaquePointer?
        let status = names.withUnsafeMutableBufferPointer { buffer in
            cw_ldap_search(handle, base, filter, buffer.baseAddress, timeout, Int32(limit), &result)
        }
        defer { if let result { ldap_msgfree(result) } }
        switch status {
        case LDAP_SUCCESS, LDAP_SIZELIMIT_EXCEEDED: break
        default: throw failure(status, during: "search", defaultKind: .searchRefused)
        }
        guard let result else { return DirectorySearchResult(entries: []) }
        var entries: [DirectoryEntry] = []
        var entry = ldap_first_entry(handle, result)
        while let current = entry {
            var dn = ""
            if let raw = ldap_get_dn(handle, current) {
                dn = String(cString: raw)
                ldap_memfree(raw)
            }
            var found: [(name: String, values: [String])] = []
            for name in attributes {
                guard let values = ldap_get_values_len(handle, current, name) else { continue }
                let count = Int(ldap_count_values_len(values))
                var texts: [String] = []
                for index in 0..<count {
                    guard let value = values[index], let bytes = value.pointee.bv_val else { continue }
                    texts.append(
                        String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(value.pointee.bv_len)), as: UTF8.self))
                }
                ldap_value_free_len(values)
                found.append((name, texts))
            }
            entries.append(DirectoryEntry(dn: dn, attributes: found))
            entry = ldap_next_entry(handle, current)
        }
        return DirectorySearchResult(
            entries: entries, references: Int(ldap_count_references(handle, result)), moreEntries: status == LDAP_SIZELIMIT_EXCEEDED)
    }

    /// A handle option that must take.
    /// `limit` seconds, or fewer when `deadline` comes sooner (at least one); throws ``DirectoryFailure/Kind/timedOut``
    /// when less than a second is left, so a directory that stalls every step cannot hold the request past the
    /// sign-in's budget (``DirectorySignIn/timeBudget``) whatever the number of endpoints and steps.
    static func seconds(_ limit: Int, before deadline: Date, step: String, uri: String) throws(DirectoryFailure) -> Int {
        let left = deadline.timeIntervalSinceNow
        guard left >= 1 else {
            throw DirectoryFailure(.timedOut, "\(uri): not tried (\(step)): the sign-in's time ran out on the endpoints before it")
        }
        return min(limit, Int(left))
    }

    private func option(_ option: Int32, _ status: Int32) throws(DirectoryFailure) {
        guard status == LDAP_OPT_SUCCESS else {
            throw DirectoryFailure(.other, "\(endpoint.uri): libldap refused option 0x\(String(option, radix: 16))")
        }
    }

    /// The one funnel from a libldap result code to a ``DirectoryFailure``: its kind, and a detail naming the server,
    /// the step, libldap's text and the server's or library's diagnostic message.
    private func failure(_ status: Int32, during step: String, defaultKind: DirectoryFailure.Kind) -> DirectoryFailure {
        var diagnostic = ""
        if let raw = cw_ldap_diagnostic(handle) {
            diagnostic = String(cString: raw)
            ldap_memfree(raw)
        }
        let text = String(cString: ldap_err2string(status))
        let kind: DirectoryFailure.Kind
        switch status {
        case LDAP_SERVER_DOWN where endpoint.security == .ldaps:
            // libldap (over GnuTLS) reports an LDAPS handshake that failed, a certificate that did not verify among
            // them, as "can't contact" with no detail: a server that accepts a TCP connection was reached, so TLS failed.
            kind = TCPProbe.accepts(uri: endpoint.uri, defaultPort: 636, timeout: connectTimeout) ? .tls : .unreachable
        case LDAP_SERVER_DOWN, LDAP_UNAVAILABLE, LDAP_BUSY:
            kind = .unreachable
        case LDAP_CONNECT_ERROR:
            kind = .tls
        case LDAP_TIMEOUT, LDAP_TIMELIMIT_EXCEEDED:
            kind = .timedOut
        case LDAP_REFERRAL:
            kind = .referral
        case LDAP_NO_SUCH_OBJECT, LDAP_FILTER_ERROR, LDAP_INSUFFICIENT_ACCESS, LDAP_OPERATIONS_ERROR, LDAP_INVALID_DN_SYNTAX:
            kind = step == "search" ? .searchRefused : defaultKind
        default:
            kind = defaultKind
        }
        let said = diagnostic.isEmpty ? "" : " (\(String(diagnostic.prefix(300))))"
        return DirectoryFailure(kind, "\(endpoint.uri): \(step): \(text) [\(status)]\(said)")
    }
}
