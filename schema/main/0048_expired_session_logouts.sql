-- Logout gaps of issue 20 (items 4 and 5).
--
-- Sessions that merely expire (idle limit or absolute lifetime) are ended by `POST /internal/cron/backchannel-logout`
-- and by `catalystwells purge` in one transaction each: their back-channel logouts queued, the rows deleted. The
-- sweep finds them by `expires_at` (ix_sessions_expiry) or by `last_seen_at`, which had no index: sessions is a
-- big table (MigrationLockRule), so the index is built online.
ALTER TABLE sessions ADD KEY ix_sessions_last_seen (last_seen_at), ALGORITHM = INPLACE, LOCK = NONE;

-- The developer portal shows an app's back-channel deliveries: sync copies each row of the queue to the developers
-- database (developers 0019) whenever it changed. `revision` grows with every change a runner makes (a claim, a
-- recorded try); `sync_pending` is set with it and cleared by sync only for the revision it copied, so a try
-- recorded while sync ran is copied next time. Rows written by the previous release start pending.
ALTER TABLE backchannel_logouts
    ADD COLUMN revision INT UNSIGNED NOT NULL DEFAULT 1,
    ADD COLUMN sync_pending BOOLEAN NOT NULL DEFAULT TRUE,
    ADD KEY ix_backchannel_logouts_sync (sync_pending);
