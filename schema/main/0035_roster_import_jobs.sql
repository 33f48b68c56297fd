-- Issue 17: a roster upload is checked in the request and imported in the background, so the upload page answers at
-- once whatever the size of the school. The checked files wait here (as a zip) for `catalystwells roster run`
-- (cron, every minute) or `POST /internal/cron/roster`; the page polls the job. A runner claims a job with a lease,
-- so one that dies is taken up again (an import is idempotent: applying the same files twice changes nothing). The
-- files are dropped when the job ends; the outcome (summary lines, or the problems) stays for the page.
CREATE TABLE roster_import_jobs (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    requested_by    BIGINT UNSIGNED NOT NULL,
    started_by      VARCHAR(255) NOT NULL,
    source          VARCHAR(255) NOT NULL,
    status          ENUM('pending', 'running', 'done', 'failed') NOT NULL DEFAULT 'pending',
    requested_at    DATETIME(6) NOT NULL,
    started_at      DATETIME(6) NULL,
    lease_until     DATETIME(6) NULL,
    finished_at     DATETIME(6) NULL,
    attempts        INT UNSIGNED NOT NULL DEFAULT 0,
    files_zip       LONGBLOB NULL,
    outcome         MEDIUMTEXT NULL,
    KEY ix_roster_import_jobs_due (status, lease_until, id),
    KEY ix_roster_import_jobs_school (school_id, requested_at),
    CONSTRAINT fk_roster_import_jobs_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_roster_import_jobs_requester FOREIGN KEY (requested_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
