-- The education API (issue 7): the data-access log, the webhook outbox, and schools' decisions about apps.

-- Every education API call: which app, on whose authority, whose data, what, when, and the answer (FERPA's
-- record of disclosures; parents read it per child). Workers buffer entries and append them in batches.
-- No foreign keys: the log outlives the rows it names (a deleted user's disclosures stay on record until
-- the retention purge), and checking keys would cost every batch insert. Read by subject (parents,
-- students), by school (admins) and by time (the purge).
CREATE TABLE data_access_log (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    occurred_at     DATETIME(6) NOT NULL,
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    actor_user_id   BIGINT UNSIGNED NULL,
    subject_user_id BIGINT UNSIGNED NULL,
    school_id       BIGINT UNSIGNED NULL,
    operation       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request         VARCHAR(300) NOT NULL,
    status          SMALLINT UNSIGNED NOT NULL,
    KEY ix_data_access_log_subject (subject_user_id, occurred_at),
    KEY ix_data_access_log_school (school_id, occurred_at),
    KEY ix_data_access_log_time (occurred_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Webhook events recorded by API writes in the same transaction as the write, waiting for sync to deliver
-- them (DESIGN §8). Thin: type, time and ids only. `delivered_at` is sync's to set.
CREATE TABLE api_event_outbox (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_type      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    occurred_at     DATETIME(6) NOT NULL,
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    school_id       BIGINT UNSIGNED NOT NULL,
    class_id        BIGINT UNSIGNED NOT NULL,
    assessment_id   BIGINT UNSIGNED NULL,
    day             DATE NULL,
    -- Comma-separated student ids (at most a class roster).
    student_ids     TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    delivered_at    DATETIME(6) NULL,
    KEY ix_api_event_outbox_pending (delivered_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A school's decision about an app. No row means the default: allowed without a scope limit (see
-- SchoolAppPolicy.default for why). `scope_limit`, when set, is the space-separated scopes the school's users
-- may grant it.
CREATE TABLE school_app_policies (
    school_id       BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    status          ENUM('allowed', 'blocked') NOT NULL,
    scope_limit     VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    updated_by      BIGINT UNSIGNED NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    PRIMARY KEY (school_id, client_pk),
    CONSTRAINT fk_school_app_policies_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_school_app_policies_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- "Ask my school": a user's request that the school allow a blocked app, in the admin's queue until the
-- school decides about the app.
CREATE TABLE school_app_requests (
    school_id       BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    requested_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (school_id, client_pk, user_id),
    CONSTRAINT fk_school_app_requests_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_school_app_requests_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE,
    CONSTRAINT fk_school_app_requests_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Revoking a client's grants for one school's users walks the client's grants: already indexed by
-- ix_oauth_grants_client.
