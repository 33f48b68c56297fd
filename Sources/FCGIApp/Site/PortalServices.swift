import Domain

/// The developer portal's stores (DESIGN §7), over a connection to `catalyst_developers`: on the developers
/// site that is the pool's own connection; the app site's review panel reaches the same tables through its
/// narrow grants.
struct PortalServices {
    let accounts: any DeveloperAccountStore
    let sessions: any DeveloperSessionStore
    let links: any DeveloperLinkStore
    let throttle: any SignInThrottleStore
    let applications: any ApplicationStore
    /// The admin panel's reads without an owner filter: wired on the app site only.
    let review: any ApplicationReviewStore
    let logos: any ApplicationLogoStore
    let secrets: any ApplicationCredentialStore
    let apiKeys: any APIKeyStore
    let webhooks: any WebhookStore
    /// The webhook sender's queue (the developers pool's cron run).
    let deliveries: any WebhookDeliveryQueue
    let analytics: any AnalyticsStore
    let tickets: any SupportTicketStore
    /// Organisations, their members and invitations (developer teams).
    let organisations: any OrganisationStore
    /// Developers' passkeys (the developers site only; the app site's narrow grants do not reach them).
    let passkeys: any PasskeyStore<DeveloperRecord>
    /// Sync's reads and writes here (the app site's narrow grants).
    let syncSource: any SyncSourceStore
    /// Keys derived from `portal.key_file`; `nil` on the app site, which never opens TOTP seeds.
    let keys: DeveloperKeyMaterial?
    /// Digest keys of client secrets and API keys (`credentials.key_file`), shared with the app site.
    let credentialKeys: CredentialKeyMaterial?
}
