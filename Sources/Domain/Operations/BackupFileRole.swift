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
}
