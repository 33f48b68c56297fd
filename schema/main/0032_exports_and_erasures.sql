-- Per-person export and erasure (issue 23, items 2 and 3).

-- Exports (GDPR Art. 15 and 20, FERPA's right to inspect). A request is a job; a small one-person export is made in
-- the request itself and never stored, a bigger one (and every class or school export) is built by
-- `catalystwells exports run` / POST /internal/cron/exports and linked by mail. The archive is sealed (AES-256-GCM
-- under a key derived from credentials.key_file, the job id as associated data) and kept only until its one
-- download or the link's expiry, whichever comes first. The link's token is stored only as its SHA-256.
CREATE TABLE export_jobs (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    requested_by    BIGINT UNSIGNED NOT NULL,
    audience        ENUM('person', 'parent', 'school_admin') NOT NULL,
    kind            ENUM('person', 'class', 'school') NOT NULL,
    subject_user_id BIGINT UNSIGNED NULL,
    class_id        BIGINT UNSIGNED NULL,
    status          ENUM('pending', 'ready', 'downloaded', 'expired', 'failed') NOT NULL DEFAULT 'pending',
    requested_at    DATETIME(6) NOT NULL,
    -- A runner's claim: a pending job is built by one runner at a time, and one that died is taken up after it.
    lease_until     DATETIME(6) NULL,
    finished_at     DATETIME(6) NULL,
    archive_sealed  LONGBLOB NULL,
    link_digest     BINARY(32) NULL,
    link_expires_at DATETIME(6) NULL,
    error           VARCHAR(300) NULL,
    UNIQUE KEY uq_export_jobs_link (link_digest),
    KEY ix_export_jobs_requester (requested_by, requested_at),
    KEY ix_export_jobs_pending (status, lease_until, id),
    KEY ix_export_jobs_subject (subject_user_id),
    KEY ix_export_jobs_school (school_id, status),
    CONSTRAINT fk_export_jobs_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_export_jobs_requester FOREIGN KEY (requested_by) REFERENCES users (id),
    CONSTRAINT ck_export_jobs_scope CHECK (
        (kind = 'person' AND subject_user_id IS NOT NULL AND class_id IS NULL)
        OR (kind = 'class' AND class_id IS NOT NULL AND subject_user_id IS NULL)
        OR (kind = 'school' AND class_id IS NULL AND subject_user_id IS NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Erasures (GDPR Art. 17): requested by a school admin, confirmed (the waiting period starts), cancellable until
-- they run; then `catalystwells erasures run` takes them through their steps, one transaction each, `step` counting
-- the steps done so that a run that dies is resumed. One open erasure per person: `open_subject` is the subject
-- while the erasure is open and NULL afterwards, and unique.
CREATE TABLE erasures (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    subject_user_id BIGINT UNSIGNED NOT NULL,
    pseudonym       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status          ENUM('requested', 'scheduled', 'running', 'completed', 'cancelled') NOT NULL DEFAULT 'requested',
    requested_by    BIGINT UNSIGNED NOT NULL,
    requested_at    DATETIME(6) NOT NULL,
    confirmed_by    BIGINT UNSIGNED NULL,
    confirmed_at    DATETIME(6) NULL,
    runs_after      DATETIME(6) NULL,
    cancelled_by    BIGINT UNSIGNED NULL,
    cancelled_at    DATETIME(6) NULL,
    lease_until     DATETIME(6) NULL,
    step            TINYINT UNSIGNED NOT NULL DEFAULT 0,
    completed_at    DATETIME(6) NULL,
    open_subject    BIGINT UNSIGNED AS (IF(status IN ('requested', 'scheduled', 'running'), subject_user_id, NULL)) PERSISTENT,
    UNIQUE KEY uq_erasures_open_subject (open_subject),
    UNIQUE KEY uq_erasures_pseudonym (pseudonym),
    KEY ix_erasures_school (school_id, requested_at),
    KEY ix_erasures_due (status, runs_after),
    CONSTRAINT fk_erasures_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_erasures_subject FOREIGN KEY (subject_user_id) REFERENCES users (id),
    CONSTRAINT ck_erasures_step CHECK (step <= 4)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- `person.erased` events carry the app-facing subject (`sub`) the app already knows, and nothing else about the
-- person; other authorization events have none.
ALTER TABLE webhook_outbox ADD COLUMN subject VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL;

-- The security audit log stays append-only for the pools. An erasure must still take the erased person's address,
-- browser and identifiers out of the entries it keeps, so one account may change those three text columns and
-- nothing else: the migration account (`catalyst_migrator`, deploy/mariadb/bootstrap.sh), which owns the schema and
-- could drop these triggers anyway, and which `catalystwells erasures run` uses. No pool reads its password. USER()
-- is the account the client signed in as (not the trigger's definer), which no pool can choose.
DROP TRIGGER security_audit_log_append_only;

CREATE TRIGGER security_audit_log_append_only BEFORE UPDATE ON security_audit_log FOR EACH ROW
BEGIN
    IF SUBSTRING_INDEX(USER(), '@', 1) <> 'catalyst_migrator'
        OR NOT (NEW.id <=> OLD.id AND NEW.occurred_at <=> OLD.occurred_at AND NEW.event <=> OLD.event
            AND NEW.school_id <=> OLD.school_id AND NEW.actor_id <=> OLD.actor_id AND NEW.subject_id <=> OLD.subject_id
            AND NEW.method <=> OLD.method) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'security_audit_log is append-only';
    END IF;
END;
