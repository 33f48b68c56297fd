import Domain
import Foundation

/// ``SignInDirectoryStore`` over main's `school_directories`.
public struct MariaSignInDirectoryStore: SignInDirectoryStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func signInDirectory(of school: SchoolID) throws -> SignInDirectory? {
        try database.query(
            """
            SELECT school_id, name, uris, allow_plain, ca_certificates, bind_dn, bind_password_sealed, base_dn, search_filter, link_rule,
                   link_attribute, disabled_check, enabled
            FROM school_directories WHERE school_id = \(school.rawValue)
            """
        ).first?.signInDirectory()
    }

    public func saveSignInDirectory(_ directory: SignInDirectory, now: Date) throws {
        let uris = directory.endpoints.map(\.uri).joined(separator: " ")
        try database.execute(
            """
            INSERT INTO school_directories (school_id, name, uris, allow_plain, ca_certificates, bind_dn, bind_password_sealed, base_dn, search_filter,
                                            link_rule, link_attribute, disabled_check, enabled, created_at, updated_at)
            VALUES (\(directory.schoolID.rawValue), \(directory.name), \(uris), \(directory.allowPlain), \(directory.caCertificates), \(directory.bindDN),
                    \(directory.sealedBindPassword), \(directory.baseDN), \(directory.filter.text), \(directory.linkRule.storedName),
                    \(directory.linkAttribute), \(directory.disabledCheck.rawValue), \(directory.enabled), \(now), \(now))
            ON DUPLICATE KEY UPDATE name = VALUES(name), uris = VALUES(uris), allow_plain = VALUES(allow_plain), ca_certificates = VALUES(ca_certificates),
                bind_dn = VALUES(bind_dn), bind_password_sealed = VALUES(bind_password_sealed), base_dn = VALUES(base_dn),
                search_filter = VALUES(search_filter), link_rule = VALUES(link_rule), link_attribute = VALUES(link_attribute),
                disabled_check = VALUES(disabled_check), enabled = VALUES(enabled), updated_at = VALUES(updated_at)
            """)
    }

    public func removeSignInDirectory(of school: SchoolID) throws -> Bool {
        try database.execute("DELETE FROM school_directories WHERE school_id = \(school.rawValue)").affectedRows > 0
    }
}

extension Row {
    /// A directory from `school_directories` columns; `nil` for a row the rules no longer accept.
    func signInDirectory() -> SignInDirectory? {
        guard let school = id("school_id", as: SchoolRecord.self), let filter = LDAPFilterTemplate(string("search_filter") ?? ""),
            let attribute = string("link_attribute"), let rule = UpstreamLinkRule(storedName: string("link_rule") ?? "", claim: attribute),
            let check = DirectoryDisabledCheck(rawValue: string("disabled_check") ?? "")
        else { return nil }
        let allowPlain = int("allow_plain") == 1
        var endpoints: [DirectoryEndpoint] = []
        for uri in (string("uris") ?? "").split(separator: " ") {
            guard case .success(let endpoint) = DirectoryEndpoint.parse(String(uri), allowPlain: allowPlain) else { return nil }
            endpoints.append(endpoint)
        }
        guard !endpoints.isEmpty else { return nil }
        return SignInDirectory(
            schoolID: school, name: string("name") ?? "", endpoints: endpoints, allowPlain: allowPlain,
            caCertificates: string("ca_certificates") ?? "",
            bindDN: string("bind_dn") ?? "", sealedBindPassword: bytes("bind_password_sealed") ?? [], baseDN: string("base_dn") ?? "",
            filter: filter, linkRule: rule, linkAttribute: attribute, disabledCheck: check, enabled: int("enabled") == 1)
    }
}
