-- Leases with fencing tokens (issue 18): who may run a job that must run once in the installation (sync,
-- migrate, the cron jobs) when the same binary runs on several hosts over one database, a Galera cluster among
-- them, where MariaDB's named locks (GET_LOCK) are node-local and are lost silently with a connection.
-- Acquiring is one conditional UPDATE (or the first INSERT) by the database clock: taken when the row is free
-- (expired or released), and then `fence` grows by one. A holder's writes re-check name, holder and fence in
-- their own transaction, with an UPDATE of this row, so a holder whose lease another host has taken meanwhile
-- has its commit refused (and on Galera the two writes to the row conflict at certification). Rows are never
-- deleted, so a fence never goes back. `duration_ms` is what a renewal extends the lease by.
CREATE TABLE leases (
    name            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    holder          VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    fence           BIGINT UNSIGNED NOT NULL,
    acquired_at     DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    duration_ms     INT UNSIGNED NOT NULL,
    renewals        BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
