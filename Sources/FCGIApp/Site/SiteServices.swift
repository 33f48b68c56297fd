import Domain
import Foundation
import MariaStore
import Native

/// What one worker thread uses: stores over that thread's own database connection, plus the shared
/// configuration, password hasher, mailer and clock.
struct SiteServices {
    /// Readiness of the site's database.
    let health: any HealthStore
    let accounts: any AccountStore
    let passwordLinks: any PasswordLinkStore
    let sessions: any SessionStore
    let throttle: any SignInThrottleStore
    let students: any StudentRecordStore
    let teaching: any TeachingStore
    let directory: any SchoolDirectoryStore
    let roster: any RosterStore
    let clients: any ClientStore
    let codes: any AuthorizationCodeStore
    let tokens: any TokenStore
    /// Access tokens as resources see them (``BearerRule``).
    let bearers: any BearerTokenStore
    let consents: any ConsentStore
    let signingKeys: any SigningKeyStore
    /// Sync's side of the main database.
    let syncTarget: any SyncTargetStore
    /// The education API's reads and writes.
    let educationAPI: any EducationAPIStore
    /// The data-access log.
    let accessLog: any DataAccessLogStore
    /// Schools' decisions about apps.
    let appPolicies: any SchoolAppPolicyStore
    /// The worker's data-access log entries waiting to be written.
    let accessLogBuffer: DataAccessLogBuffer
    /// The worker's per-app API rate limits.
    let rateLimiter: APIRateLimiter
    /// The worker's education API list answers, by student record version.
    let apiListCache: APIListCache
    /// Keys derived from `oauth.key_file`; `nil` on the developers site, which issues no tokens.
    let oauthKeys: OAuthKeyMaterial?
    /// The developer portal's stores: the site's own database on the developers site.
    let portal: PortalServices
    let hasher: any PasswordHasher
    /// Equalises the time of sign-ins that name no account.
    let timingDecoy: TimingDecoy
    /// The worker's rendered student records.
    let recordCache: RecordPageCache
    /// The worker's opened ID-token signing keys.
    let signingKeyCache: SigningKeyCache
    let mailer: any MailTransport
    let configuration: Configuration
    /// The time; a parameter so tests can move it.
    let clock: @Sendable () -> Date

    /// The live services of a thread: one lazily opened connection to the site's database as the site's account.
    static func live(
        site: Site, configuration: Configuration, hasher: any PasswordHasher, timingDecoy: TimingDecoy, recordCache: RecordPageCache,
        signingKeyCache: SigningKeyCache = SigningKeyCache(), accessLogBuffer: DataAccessLogBuffer? = nil,
        rateLimiter: APIRateLimiter? = nil, apiListCache: APIListCache? = nil
    ) -> SiteServices {
        let database = MariaDatabase(options: configuration.connectionOptions(for: site))
        let accounts = MariaAccountStore(database: database)
        let sessions = MariaSessionStore(database: database)
        let schoolwork = MariaSchoolworkStore(database: database)
        let tokens = MariaTokenStore(database: database)
        return SiteServices(
            health: MariaHealthStore(database: database), accounts: accounts, passwordLinks: accounts, sessions: sessions,
            throttle: sessions, students: schoolwork, teaching: schoolwork, directory: schoolwork,
            roster: MariaRosterStore(database: database), clients: MariaClientStore(database: database), codes: tokens,
            tokens: tokens, bearers: tokens, consents: MariaConsentStore(database: database), signingKeys: MariaSigningKeyStore(database: database),
            syncTarget: MariaSyncTargetStore(database: database),
            educationAPI: MariaEducationAPIStore(database: database), accessLog: MariaDataAccessLogStore(database: database),
            appPolicies: MariaSchoolAppPolicyStore(database: database),
            accessLogBuffer: accessLogBuffer ?? DataAccessLogBuffer(configuration.api),
            rateLimiter: rateLimiter ?? APIRateLimiter(configuration.api), apiListCache: apiListCache ?? APIListCache(capacity: 1),
            oauthKeys: configuration.oauthKey.flatMap { key in configuration.credentialKey.map { OAuthKeyMaterial(secret: key, credentials: CredentialKeyMaterial(secret: $0)) } },
            portal: .live(
                database: site == .app ? MariaDatabase(options: configuration.connectionOptions(role: .app, database: configuration.developersDatabase)) : database,
                keys: configuration.portalKey.map { DeveloperKeyMaterial(secret: $0) },
                credentialKeys: configuration.credentialKey.map { CredentialKeyMaterial(secret: $0) }), hasher: hasher, timingDecoy: timingDecoy, recordCache: recordCache, signingKeyCache: signingKeyCache,
            mailer: SendmailTransport(command: configuration.mail.sendmailCommand, from: configuration.mail.from),
            configuration: configuration, clock: { Date() })
    }

    /// The database a worker's housekeeping thread writes the buffered data-access log with.
    static func accessLogStore(site: Site, configuration: Configuration) -> any DataAccessLogStore {
        MariaDataAccessLogStore(database: MariaDatabase(options: configuration.connectionOptions(for: site)))
    }

    /// The hasher the configuration asks for. Throws when libsodium refuses the parameters.
    static func passwordHasher(_ configuration: Configuration) throws -> any PasswordHasher {
        try Argon2idPasswordHasher(opsLimit: configuration.signIn.argon2Ops, memoryKiB: configuration.signIn.argon2MemoryKiB)
    }
}
