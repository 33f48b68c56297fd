import Domain
import Foundation
import Logging
import MariaStore
import Native

/// The one place that builds the live dependencies, for both pools and every CLI command: which store
/// implementation serves which protocol, over which connection, as which database account. Nothing else names a
/// `Maria*` store or opens a ``MariaDatabase``.
enum CompositionRoot {
    /// What a worker process shares between its threads (built once per worker).
    struct WorkerShared {
        let hasher: any PasswordHasher
        let timingDecoy: TimingDecoy
        let recordCache: RecordPageCache
        let signingKeyCache: SigningKeyCache
        let rateLimiter: APIRateLimiter
        let apiListCache: APIListCache
        /// The upstream providers' discovery documents and signing keys.
        let upstreamDocuments: UpstreamDocumentCache
        /// The `jwks_uri` documents of `private_key_jwt` clients.
        let clientKeyDocuments: ClientKeyDocuments

        /// A worker's shared parts; `requestThreads` decides whether list answers are cached at all.
        init(configuration: Configuration, hasher: any PasswordHasher, requestThreads: Bool = true) {
            // Every password hash and check of the worker takes a turn at the gate, the timing decoy's too.
            let gated = PasswordHashingGate(hasher, concurrency: configuration.signIn.passwordChecksPerWorker)
            self.hasher = gated
            timingDecoy = TimingDecoy(hasher: gated)
            recordCache = RecordPageCache(capacity: requestThreads ? 256 : 1)
            signingKeyCache = SigningKeyCache()
            rateLimiter = APIRateLimiter(configuration.api)
            apiListCache = APIListCache(capacity: requestThreads ? 512 : 1)
            upstreamDocuments = UpstreamDocumentCache()
            clientKeyDocuments = ClientKeyDocuments()
        }
    }

    /// The services of one thread: one lazily opened connection to the site's database as the site's account
    /// (and, on the app site, a second one to the developers database through the app account's narrow grants).
    static func services(site: Site, configuration: Configuration, shared: WorkerShared) -> SiteServices {
        let database = MariaDatabase(options: configuration.connectionOptions(for: site))
        let accounts = MariaAccountStore(database: database)
        let sessions = MariaSessionStore(database: database)
        let schoolwork = MariaSchoolworkStore(database: database)
        let tokens = MariaTokenStore(database: database)
        let credentialKeys = configuration.credentialKey.map { CredentialKeyMaterial(secret: $0) }
        let developers =
            site == .app
            ? MariaDatabase(options: configuration.connectionOptions(role: .app, database: configuration.developersDatabase)) : database
        return SiteServices(
            health: MariaHealthStore(database: database),
            people: PeopleServices(
                accounts: accounts, passwordLinks: accounts, sessions: sessions, throttle: sessions, hasher: shared.hasher,
                secondFactors: MariaSecondFactorStore(database: database),
                passkeys: MariaPasskeyStore<UserRecord>(database: database, tables: .users),
                badges: MariaBadgeStore(database: database),
                timingDecoy: shared.timingDecoy, resets: MariaPasswordResetStore(database: database),
                languages: MariaLanguagePreferenceStore(database: database)),
            schoolwork: SchoolworkServices(
                students: schoolwork, teaching: schoolwork, directory: schoolwork, roster: MariaRosterStore(database: database),
                rosterJobs: MariaRosterImportQueue(database: database), recordCache: shared.recordCache,
                lti: MariaLTIStore(database: database), ltiGrades: MariaLTIGradeStore(database: database)),
            oauth: OAuthServices(
                clients: MariaClientStore(database: database), codes: tokens, tokens: tokens, bearers: tokens, dpopProofs: tokens,
                consents: MariaConsentStore(database: database), signingKeys: MariaSigningKeyStore(database: database),
                keys: configuration.oauthKey.flatMap { key in credentialKeys.map { OAuthKeyMaterial(secret: key, credentials: $0) } },
                signingKeyCache: shared.signingKeyCache, logout: MariaLogoutStore(database: database),
                pushedRequests: tokens, assertionUses: tokens,
                clientKeys: ClientKeySource(
                    transport: UpstreamHTTPSTransport(
                        allowPrivateTargets: configuration.federation.allowPrivateTargets, caFile: configuration.federation.caFile),
                    documents: shared.clientKeyDocuments)),
            api: EducationAPIServices(
                store: MariaEducationAPIStore(database: database), accessLog: MariaDataAccessLogStore(database: database),
                appPolicies: MariaSchoolAppPolicyStore(database: database), agreements: MariaAppAgreementStore(database: database),
                declarations: MariaClientDataDeclarationStore(database: database),
                rateLimiter: shared.rateLimiter, rateBuckets: MariaRateBucketStore(database: database), listCache: shared.apiListCache,
                oneRoster: MariaOneRosterStore(database: database), gradebookSettings: MariaGradebookSettingsStore(database: database)),
            syncTarget: MariaSyncTargetStore(database: database), leases: MariaLeaseStore(database: database),
            upstream: upstream(database: database, configuration: configuration, documents: shared.upstreamDocuments),
            directories: DirectoryServices(store: MariaSignInDirectoryStore(database: database), connector: LDAPDirectoryClient()),
            audit: MariaSecurityAuditStore(database: database),
            privacy: PrivacyServices(
                records: MariaPersonExportStore(database: database), exportJobs: MariaExportJobStore(database: database),
                erasures: MariaErasureStore(database: database, subjects: configuration.oauthKey.map { SubjectIdentifiers(oauthKey: $0) })),
            portal: portal(
                database: developers, keys: configuration.portalKey.map { DeveloperKeyMaterial(secret: $0) }, credentialKeys: credentialKeys),
            mailer: mailer(site: site, database: database, configuration: configuration, credentialKeys: credentialKeys),
            configuration: configuration, clock: { Date() })
    }

    /// Mail goes through the site's outbox (``QueuedMailer``), sealed under the credential key. Without that key
    /// (a command that did not load it) it goes to the program directly, as nothing could be queued safely.
    static func mailer(
        site: Site, database: MariaDatabase, configuration: Configuration, credentialKeys: CredentialKeyMaterial?
    ) -> any MailTransport {
        let program = SendmailTransport(command: configuration.mail.sendmailCommand, from: configuration.mail.from)
        guard let credentialKeys else { return program }
        return QueuedMailer(
            outbox: MariaMailOutboxStore(database: database), transport: program, key: credentialKeys.mailSealingKey,
            retryBase: configuration.mail.retryBase, lifetime: configuration.mail.lifetime,
            logger: Logger(label: "catalystwells.mail.\(site.rawValue)"), clock: { Date() })
    }

    /// The upstream sign-in's store and flow, reaching providers through the guarded HTTPS client.
    static func upstream(database: MariaDatabase, configuration: Configuration, documents: UpstreamDocumentCache) -> UpstreamServices {
        let federation = configuration.federation
        let transport = UpstreamHTTPSTransport(allowPrivateTargets: federation.allowPrivateTargets, caFile: federation.caFile)
        return UpstreamServices(
            store: MariaUpstreamStore(database: database), flow: UpstreamSignInFlow(transport: transport, cache: documents),
            saml: MariaSAMLStore(database: database), metadataTransport: transport)
    }

    /// The developer portal's stores over one database handle.
    static func portal(database: MariaDatabase, keys: DeveloperKeyMaterial?, credentialKeys: CredentialKeyMaterial?) -> PortalServices {
        let applications = MariaApplicationStore(database: database)
        let webhooks = MariaWebhookStore(database: database)
        return PortalServices(
            accounts: MariaDeveloperAccountStore(database: database), sessions: MariaDeveloperSessionStore(database: database),
            links: MariaDeveloperLinkStore(database: database), throttle: MariaDeveloperThrottleStore(database: database),
            applications: applications, review: applications, logos: MariaApplicationLogoStore(database: database),
            secrets: MariaApplicationCredentialStore(database: database), apiKeys: MariaAPIKeyStore(database: database),
            webhooks: webhooks, deliveries: webhooks, analytics: MariaAnalyticsStore(database: database),
            tickets: MariaSupportTicketStore(database: database), organisations: MariaOrganisationStore(database: database),
            passkeys: MariaPasskeyStore<DeveloperRecord>(database: database, tables: .developers),
            syncSource: MariaSyncSourceStore(database: database), keys: keys,
            credentialKeys: credentialKeys)
    }

    /// The hasher the configuration asks for. Throws when libsodium refuses the parameters.
    static func passwordHasher(_ configuration: Configuration) throws -> any PasswordHasher {
        try Argon2idPasswordHasher(opsLimit: configuration.signIn.argon2Ops, memoryKiB: configuration.signIn.argon2MemoryKiB)
    }

    /// What `catalystwells purge` deletes from, over one connection as the app account.
    struct PurgeStores {
        let sessions: any AccountPurgeStore
        let tokens: any TokenStore & DPoPProofStore & PushedAuthorizationRequestStore & ClientAssertionUseStore
        let accessLog: any DataAccessLogStore
        let rateBuckets: any RateBucketStore
        let upstream: any UpstreamStore
        let saml: any SAMLStore
        let audit: any SecurityAuditStore
        let passkeys: any PasskeyStore<UserRecord>
        let retention: any RetentionStore
        /// Finished back-channel logouts.
        let logout: any LogoutStore
        let leases: any LeaseStore
    }

    /// The purge's stores.
    static func purgeStores(_ configuration: Configuration) -> PurgeStores {
        MariaClient.initializeLibrary()
        let database = MariaDatabase(options: configuration.connectionOptions(for: .app))
        return PurgeStores(
            sessions: MariaSessionStore(database: database), tokens: MariaTokenStore(database: database),
            accessLog: MariaDataAccessLogStore(database: database), rateBuckets: MariaRateBucketStore(database: database),
            upstream: MariaUpstreamStore(database: database), saml: MariaSAMLStore(database: database),
            audit: MariaSecurityAuditStore(database: database), passkeys: MariaPasskeyStore<UserRecord>(database: database, tables: .users),
            retention: MariaRetentionStore(database: database), logout: MariaLogoutStore(database: database),
            leases: MariaLeaseStore(database: database))
    }

    /// What `catalystwells purge --site developers` deletes from, over one connection as the developers account.
    struct DeveloperPurgeStores {
        let sessions: any AccountPurgeStore
        let logos: any ApplicationLogoStore
        let passkeys: any PasskeyStore<DeveloperRecord>
        let leases: any LeaseStore
    }

    /// The developers purge's stores.
    static func developerPurgeStores(_ configuration: Configuration) -> DeveloperPurgeStores {
        MariaClient.initializeLibrary()
        let database = MariaDatabase(options: configuration.connectionOptions(for: .developers))
        return DeveloperPurgeStores(
            sessions: MariaDeveloperSessionStore(database: database), logos: MariaApplicationLogoStore(database: database),
            passkeys: MariaPasskeyStore<DeveloperRecord>(database: database, tables: .developers), leases: MariaLeaseStore(database: database))
    }

    /// What `catalystwells erasures run` works with, over one connection to main as the migration account: the one
    /// account the security audit log's trigger lets pseudonymise entries (migration 0032).
    struct ErasureRunStores {
        let run: any ErasureRunStore
        let audit: any SecurityAuditStore
        let leases: any LeaseStore
    }

    /// The erasure runner's stores.
    static func erasureRunStores(_ configuration: Configuration) -> ErasureRunStores {
        MariaClient.initializeLibrary()
        let database = MariaDatabase(options: configuration.connectionOptions(role: .migrator, database: configuration.mainDatabase))
        return ErasureRunStores(
            run: MariaErasureStore(database: database, subjects: configuration.oauthKey.map { SubjectIdentifiers(oauthKey: $0) }),
            audit: MariaSecurityAuditStore(database: database), leases: MariaLeaseStore(database: database))
    }

    /// A lease holder id unique per acquisition (this host, this process, a random part).
    static func leaseHolder() -> String { MariaLeaseStore.newHolder() }

    /// The migrator of one database, as the migration account (which owns the schemas), running whole files.
    static func migrator(_ configuration: Configuration, database name: String) -> MariaMigrator {
        MariaClient.initializeLibrary()
        return MariaMigrator(
            database: MariaDatabase(options: configuration.connectionOptions(role: .migrator, database: name, multiStatements: true)))
    }
}
