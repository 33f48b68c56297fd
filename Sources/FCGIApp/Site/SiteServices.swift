import Domain
import Foundation

/// What one worker thread (or one CLI command) uses, grouped by feature: stores over that thread's own
/// database connection, plus the shared configuration, mailer and clock. Built only by ``CompositionRoot``
/// (and by the tests over the store twins).
///
/// A class, against the house habit of value types: every request's ``RequestContext`` carries it, and copying
/// the struct retained and released its sixty-odd references on every request (a few percent of a small
/// request). Everything in it is immutable.
final class SiteServices {
    /// Readiness of the site's database.
    let health: any HealthStore
    /// Accounts, sign-in and sessions.
    let people: PeopleServices
    /// School records: classes, grades, attendance, the roster.
    let schoolwork: SchoolworkServices
    /// The OAuth 2.0 / OpenID Connect provider.
    let oauth: OAuthServices
    /// The education API and schools' control over apps.
    let api: EducationAPIServices
    /// Sync's side of the main database.
    let syncTarget: any SyncTargetStore
    /// Leases of the jobs that run on one host at a time (the site's own database; ``CronLease``).
    let leases: any LeaseStore
    /// Sign-in with upstream OpenID providers.
    let upstream: UpstreamServices
    /// Sign-in against schools' LDAP directories and Active Directory.
    let directories: DirectoryServices
    /// The security audit log (main database; the developers site has none).
    let audit: any SecurityAuditStore
    /// Per-person exports and erasures (main database).
    let privacy: PrivacyServices
    /// The developer portal's stores: the site's own database on the developers site.
    let portal: PortalServices
    let mailer: any MailTransport
    let configuration: Configuration
    /// The time; a parameter so tests can move it.
    let clock: @Sendable () -> Date

    init(
        health: any HealthStore, people: PeopleServices, schoolwork: SchoolworkServices, oauth: OAuthServices, api: EducationAPIServices,
        syncTarget: any SyncTargetStore, leases: any LeaseStore, upstream: UpstreamServices, directories: DirectoryServices,
        audit: any SecurityAuditStore,
        privacy: PrivacyServices, portal: PortalServices, mailer: any MailTransport, configuration: Configuration,
        clock: @escaping @Sendable () -> Date
    ) {
        self.health = health
        self.people = people
        self.schoolwork = schoolwork
        self.oauth = oauth
        self.api = api
        self.syncTarget = syncTarget
        self.leases = leases
        self.upstream = upstream
        self.directories = directories
        self.audit = audit
        self.privacy = privacy
        self.portal = portal
        self.mailer = mailer
        self.configuration = configuration
        self.clock = clock
    }
}

/// Accounts, sign-in and sessions of school users.
struct PeopleServices {
    let accounts: any AccountStore
    let passwordLinks: any PasswordLinkStore
    let sessions: any SessionStore
    let throttle: any SignInThrottleStore
    let hasher: any PasswordHasher
    /// Second factors (TOTP, recovery codes) and the schools' rules about them.
    let secondFactors: any SecondFactorStore
    /// Passkeys.
    let passkeys: any PasskeyStore<UserRecord>
    /// QR badges and the schools' badge policies.
    let badges: any BadgeStore
    /// Equalises the time of sign-ins that name no account.
    let timingDecoy: TimingDecoy
    /// Resets by the people responsible, the schools' rule for temporary passwords, and the must-change flag.
    let resets: any PasswordResetStore
    /// The languages people chose and their schools' defaults.
    let languages: any LanguagePreferenceStore
}

/// Exports (GDPR Art. 15 and 20, FERPA) and erasures (GDPR Art. 17).
struct PrivacyServices {
    /// What an export holds.
    let records: any PersonExportStore
    /// Exports made in the background.
    let exportJobs: any ExportJobStore
    /// The school admin's side of erasures (the steps run in `catalystwells erasures run`).
    let erasures: any ErasureStore
}

/// Sign-in with the school's own accounts: providers, links and policies, and the relying party's flow.
struct UpstreamServices {
    let store: any UpstreamStore
    /// The code flow with a provider, over the worker's document cache and the guarded HTTPS client.
    let flow: UpstreamSignInFlow
    /// SAML providers' settings and the one-time assertion cache (`nil` in route tests without SAML).
    var saml: (any SAMLStore)? = nil
    /// Fetches SAML metadata from a URL (the same guarded HTTPS client).
    var metadataTransport: (any UpstreamTransport)? = nil
}

/// Sign-in against a school's directory: the schools' settings, and the thread's LDAP client (which keeps the service
/// account's connection between sign-ins).
struct DirectoryServices {
    let store: any SignInDirectoryStore
    let connector: any DirectoryConnector
}

/// School records.
struct SchoolworkServices {
    let students: any StudentRecordStore
    let teaching: any TeachingStore
    let directory: any SchoolDirectoryStore
    let roster: any RosterStore
    /// Roster uploads too large to import within their request (``RosterImportRun``).
    let rosterJobs: any RosterImportQueue
    /// The worker's rendered student records.
    let recordCache: RecordPageCache
    /// LTI placements and launches; `nil` where the site has none.
    var lti: (any LTIStore)? = nil
    /// LTI Assignment and Grade Services line items, scores and results; `nil` where the site has none.
    var ltiGrades: (any LTIGradeStore)? = nil
}

/// The OAuth provider's stores and keys.
struct OAuthServices {
    let clients: any ClientStore
    let codes: any AuthorizationCodeStore
    let tokens: any TokenStore
    /// Access tokens as resources see them (``BearerRule``).
    let bearers: any BearerTokenStore
    /// The replay cache of DPoP proofs (RFC 9449 §11.1).
    let dpopProofs: any DPoPProofStore
    let consents: any ConsentStore
    let signingKeys: any SigningKeyStore
    /// Keys derived from `oauth.key_file`; `nil` on the developers site, which issues no tokens.
    let keys: OAuthKeyMaterial?
    /// The worker's opened ID-token signing keys.
    let signingKeyCache: SigningKeyCache
    /// Logout registrations, sessions behind grants, the back-channel logout queue.
    let logout: any LogoutStore
    /// Pushed authorization requests (RFC 9126).
    let pushedRequests: any PushedAuthorizationRequestStore
    /// The replay cache of client assertions (RFC 7523 §3).
    let assertionUses: any ClientAssertionUseStore
    /// `private_key_jwt` clients' `jwks_uri` documents.
    let clientKeys: ClientKeySource

    /// ``keys``, or the 500 of a pool started without `oauth.key_file` (only the app site issues tokens).
    func requireKeys() throws -> OAuthKeyMaterial {
        guard let keys else {
            throw HTTPError(status: 500, code: "server_error", "The server has no OAuth key.", logDetail: "oauth.key_file not loaded")
        }
        return keys
    }
}

/// The education API.
struct EducationAPIServices {
    /// The API's reads and writes.
    let store: any EducationAPIStore
    /// The data-access log, written before each call is answered.
    let accessLog: any DataAccessLogStore
    /// Schools' decisions about apps.
    let appPolicies: any SchoolAppPolicyStore
    /// Schools' data-privacy agreements with apps, and their agreement settings.
    let agreements: any AppAgreementStore
    /// The apps' data declarations as last approved (the data label).
    let declarations: any ClientDataDeclarationStore
    /// The worker's leases of the apps' shared API token buckets.
    let rateLimiter: APIRateLimiter
    /// The shared buckets the leases come from.
    let rateBuckets: any RateBucketStore
    /// The worker's list answers, by student record version.
    let listCache: APIListCache
    /// OneRoster's reads.
    let oneRoster: any OneRosterStore
    /// Schools' choices of how apps' grades reach the gradebooks.
    let gradebookSettings: any GradebookSettingsStore
}
