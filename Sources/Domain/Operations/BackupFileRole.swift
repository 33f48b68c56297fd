import Foundation

/// A file a backup carries besides the databases, named after the configuration key that points at it.
///
/// The three data keys are the ones without which the databases are useless (sealed signing keys, credential
/// digests, developers' TOTP seeds and webhook secrets). The database passwords travel too, so that a restore onto
/// an empty machine can recreate the accounts with `deploy/mariadb/bootstrap.sh` and the pools find them as before;
/// the cron secret and the backup recipients make the restored machine whole.
public enum BackupFileRole: String, Sendable, CaseIterable, Codable {
    /// The configuration file itself.
    case configuration = "configuration"
    /// `oauth.key_file`.
    case oauthKey = "oauth.key_file"
    /// `credentials.key_file`.
    case credentialsKey = "credentials.key_file"
    /// `portal.key_file`.
    case portalKey = "portal.key_file"
    /// `cron.secret_file`.
    case cronSecret = "cron.secret_file"
    /// `database.app.password_file`.
    case appPassword = "database.app.password_file"
    /// `database.developers.password_file`.
    case developersPassword = "database.developers.password_file"
    /// `database.migrator.password_file`.
    case migratorPassword = "database.migrator.password_file"
    /// `backup.recipients_file` (public keys only).
    case backupRecipients = "backup.recipients_file"

    /// The archive member path: `files/<role>`.
    public var memberPath: String { "files/\(rawValue)" }

    /// Whether the backup fails when the file cannot be read. The cron secret and the recipients are optional
    /// (a missing cron secret turns the cron endpoints off; recipients may be given with `--recipient`).
    public var isRequired: Bool {
        switch self {
        case .cronSecret, .backupRecipients: false
        default: true
        }
    }

    /// The keys that make the data readable: a restore onto an existing machine that keeps its own configuration
    /// (`--keep-config`) puts back exactly these.
    public var isDataKey: Bool {
        switch self {
        case .oauthKey, .credentialsKey, .portalKey: true
        default: false
        }
    }

    /// The mode a restored file gets from the mode it had: never anything for others, never execute or write for
    /// the group (the configuration and credentials key are group-readable by design; the rest is owner-only), and always
    /// readable by the owner.
    public static func restoredMode(from recorded: Int) -> Int {
        (recorded & 0o640) | 0o400
    }

    /// Why the content of this role's file cannot be restored, or `nil` when it has the shape the product writes.
    ///
    /// An archive is encrypted with a public key, which proves nothing about who made it: a restore writes a file only
    /// when its content is what such a file holds (64 hex digits for a key, one line of `[A-Za-z0-9_-]` for a password
    /// or the cron secret, `age1…` recipients and comments), so a made-up archive cannot plant a cron line or an SSH key
    /// on the machine. The configuration is checked by parsing it instead.
    public func problem(withContent bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return "\(rawValue) is not text" }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func plainLine(minimum: Int) -> Bool {
            trimmed.utf8.count >= minimum && !trimmed.contains("\n")
                && trimmed.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
        }
        switch self {
        case .configuration:
            return nil
        case .oauthKey, .credentialsKey, .portalKey:
            return trimmed.count == 64 && trimmed.allSatisfy(\.isHexDigit) ? nil : "\(rawValue) is not 64 hex digits"
        case .appPassword, .developersPassword, .migratorPassword:
            return plainLine(minimum: 16) ? nil : "\(rawValue) is not one line of at least 16 characters from A-Z a-z 0-9 _ -"
        case .cronSecret:
            return plainLine(minimum: 32) ? nil : "\(rawValue) is not one line of at least 32 characters from A-Z a-z 0-9 _ -"
        case .backupRecipients:
            let lines = trimmed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let valid = lines.allSatisfy { line in
                line.isEmpty || line.hasPrefix("#")
                    || (line.hasPrefix("age1")
                        && line.unicodeScalars.allSatisfy {
                            $0.isASCII && (CharacterSet.lowercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0))
                        })
            }
            return valid ? nil : "\(rawValue) holds something other than age1… recipients and # comments"
        }
    }

    /// Whether `path` lies inside `folder` (both absolute; `.` and `..` segments resolved first): a full restore writes
    /// files only under the folder of the configuration it restores (`/etc/catalystwells`).
    public static func isInside(_ path: String, folder: String) -> Bool {
        func resolved(_ path: String) -> [Substring]? {
            guard path.hasPrefix("/") else { return nil }
            var parts: [Substring] = []
            for part in path.split(separator: "/") {
                if part == "." { continue }
                if part == ".." {
                    if parts.isEmpty { return nil }
                    parts.removeLast()
                } else {
                    parts.append(part)
                }
            }
            return parts
        }
        guard let inner = resolved(path), let outer = resolved(folder) else { return false }
        return inner.count > outer.count && Array(inner.prefix(outer.count)) == outer
    }
}
