import Foundation

extension SyncSourceStore {
    /// Stores that cannot tell report no waiting change.
    public func oldestSyncRequest() throws -> Date? { nil }
}

/// The developers-database side of sync, through the app pool's narrow grants (DESIGN §4).
public protocol SyncSourceStore {
    /// Up to `limit` applications whose sync request marker is set, oldest request first, with everything the
    /// OAuth server needs (secrets and keys as digests). Apps that are not approved or suspended are returned
    /// with their marker too, as `status` tells, so the caller can clear it.
    func applicationsToSync(limit: Int) throws -> [SyncedApplication]
    /// Clears the app's marker only if it still holds `marker`: a change made after the read set a newer
    /// value, and the app is synced again next run. Returns whether it cleared.
    func clearSyncRequest(of id: ApplicationID, marker: Date) throws -> Bool
    /// The developers-database ids of apps by client id; client ids of other clients (first-party, demo) are
    /// absent.
    func applicationIDs(of clientIDs: [ClientID]) throws -> [ClientID: ApplicationID]
    /// Queues one delivery of each event to every enabled endpoint of its app subscribed to its type, unless
    /// that endpoint already has an original (not a redelivery) delivery with the event's id; returns how
    /// many deliveries were queued. Handing the same events over again queues nothing.
    func enqueueEvents(_ events: [(event: PendingEvent, application: ApplicationID)], now: Date) throws -> Int
    /// Sets the request count and last use shown on the keys page (absolute values); unknown ids are skipped.
    func recordAPIKeyUsage(_ usage: [APIKeyUsage]) throws
    /// Sets when client secrets were last used (never moving a time backwards); unknown digests are skipped.
    func recordClientSecretUsage(_ usage: [ClientSecretUsage]) throws
    /// Up to `limit` active client secrets and API keys of approved apps that are not marked confirmed here,
    /// oldest first: what the review panel lists (it leaves out those main holds a confirmation for).
    func credentialsAwaitingConfirmation(limit: Int) throws -> [PendingCredential]
    /// The credential of that kind and id if it is active and its app approved, confirmed or not; `nil` otherwise.
    func activeCredential(_ kind: CredentialAttestation.Kind, id: Int64) throws -> PendingCredential?
    /// Marks the credential confirmed here (for the portal's pages; the first time stays) and requests a sync of
    /// its app, in one transaction, so the next run adds it to main.
    func markCredentialConfirmed(_ attestation: CredentialAttestation, now: Date) throws
    /// When the oldest marker still set was set (the app change that has waited longest), `nil` when none is set;
    /// the pool's `catalystwells_sync_lag_seconds`. The default answers `nil` (stores that cannot tell).
    func oldestSyncRequest() throws -> Date?
}

/// The main-database side of sync.
public protocol SyncTargetStore {
    /// Runs `body` holding the installation-wide sync lease (``LeaseName/sync``), or returns `nil` at once when
    /// another run holds it: sync is single-flight across hosts. While `body` runs, every write transaction of
    /// this store checks the lease's fence first and throws ``StoreError`` `.leaseLost` once another run has
    /// taken the lease (this one outlived it), rolling back.
    func withSyncLock<T>(_ body: () throws -> T) throws -> T?
    /// Makes the main database run the app as described, in one transaction: creates or updates the OAuth
    /// client (content, scopes, status, redirect URIs), ends the secrets and API keys the app no longer has
    /// active, adds the new ones that main holds a ``CredentialAttestation`` for (``SyncApplyResult/unattested``
    /// counts the others, which are left out), and when the client is suspended revokes every one of its grants
    /// and tokens. An ended secret or revoked key is never made to work again. Applying the same description
    /// again changes nothing.
    func apply(_ app: SyncedApplication, as client: OAuthClient, now: Date) throws -> SyncApplyResult
    /// What may be taken from the developers database without a review decision, because it only takes access
    /// away: on the client synced from this very app (same client id and app id; nothing is created), ends
    /// the secrets and API keys the app no longer has active, and for a suspended app suspends the client and
    /// revokes its grants and tokens. Content, scopes and redirect URIs are left as they are.
    func applyRestrictions(_ app: SyncedApplication, now: Date) throws -> SyncApplyResult
    /// Folds what happened since the previous call into the daily usage counters, in one transaction with
    /// the watermarks (so each access-log row, grant and first consent is counted exactly once): only rows
    /// older than `settle` seconds by the store's clock are taken (the database's, whatever host runs sync; `now` dates the watermarks), so a batch still being written is not skipped. A store may
    /// fold a long backlog over several calls (each call's transaction stays short); the rest is taken next time.
    /// Returns how many source rows were folded in.
    func collectUsage(now: Date, settle: TimeInterval) throws -> Int
    /// Up to `limit` daily counters the developers database has not received since they changed, with
    /// absolute values.
    func changedUsage(limit: Int) throws -> [DailyUsage]
    /// Marks counters as received (after the developers database stored them).
    func markUsagePushed(_ usage: [DailyUsage]) throws
    /// Up to `limit` API keys whose use changed since the developers database last received it.
    func changedAPIKeyUsage(limit: Int) throws -> [APIKeyUsage]
    /// Marks API key figures as received.
    func markAPIKeyUsagePushed(_ usage: [APIKeyUsage]) throws
    /// Up to `limit` client secrets used since the developers database last received their last use.
    func changedClientSecretUsage(limit: Int) throws -> [ClientSecretUsage]
    /// Marks client secret uses as received (a use recorded meanwhile is sent next run).
    func markClientSecretUsagePushed(_ usage: [ClientSecretUsage]) throws
    /// Up to `limit` back-channel logouts changed (queued, tried) since the developers database last received them,
    /// oldest first.
    func changedBackchannelLogouts(limit: Int) throws -> [BackchannelDeliveryChange]
    /// Marks back-channel logouts as received, each only if still at the revision read (a newer try is sent next run).
    func markBackchannelLogoutsPushed(_ changes: [BackchannelDeliveryChange]) throws
    /// Webhook events waiting to be handed over, oldest first, at most `limit`: the education API's outbox,
    /// and authorizations granted or revoked since the previous run.
    func pendingEvents(limit: Int) throws -> [PendingEvent]
    /// Marks events as handed over (after their deliveries are queued in the developers database).
    func markEventsHandedOver(_ events: [PendingEvent], now: Date) throws
    /// Records a review decision about an app (see ``ReviewAttestation``), made when the developers database
    /// saved the app at `version`: it replaces the recorded one only if that is of an older version, so two
    /// decisions recorded out of order leave the newer. `decidedBy` is `nil` for an approval adopted from before
    /// decisions were recorded.
    func recordReviewDecision(_ attestation: ReviewAttestation, version: Int64, decidedBy: UserID?, now: Date) throws
    /// For an app approved before review decisions were recorded (none is, for it): records one for its content
    /// only if main already runs exactly that content, active, as the client synced from this app, and returns
    /// it; `nil` otherwise. Nothing is trusted that main did not already run.
    func adoptEarlierApproval(of app: SyncedApplication, as client: OAuthClient, now: Date) throws -> ReviewAttestation?
    /// Records a platform admin's confirmation of a credential (see ``CredentialAttestation``). Recording it again
    /// changes nothing; recording the same app's digest with another id or scopes replaces them (the latest
    /// confirmation holds); a digest main holds a confirmation for under another app throws ``StoreError``
    /// `.duplicate`.
    func recordCredentialAttestation(_ attestation: CredentialAttestation, decidedBy: UserID, now: Date) throws
    /// Which of `digests` main holds a credential confirmation for (of any app or kind).
    func attestedCredentialDigests(_ digests: [[UInt8]]) throws -> Set<[UInt8]>
    /// The latest review decisions about the given apps; apps never decided on are absent.
    func reviewAttestations(of applications: [ApplicationID]) throws -> [ApplicationID: ReviewAttestation]
    /// A watermark by name; `nil` when never set.
    func syncState(_ name: String) throws -> String?
    /// Sets a watermark.
    func setSyncState(_ name: String, value: String, now: Date) throws
}
