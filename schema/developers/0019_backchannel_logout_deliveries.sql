-- Back-channel logout deliveries of an app (issue 20), copied by sync from main's `backchannel_logouts` queue so the
-- app's credentials page can show them: when, how many tries, delivered or not, the receiver's status or the error.
-- Never the logout token (main signs it when sending and stores none). `source_id` is the row's id in main; values
-- are absolute, so a batch copied twice writes the same. Sync deletes rows older than main keeps its own (7 days).
CREATE TABLE application_backchannel_logouts (
    source_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    attempts        SMALLINT UNSIGNED NOT NULL,
    delivered_at    DATETIME(6) NULL,
    next_attempt_at DATETIME(6) NULL,
    last_status     SMALLINT UNSIGNED NULL,
    last_error      VARCHAR(255) NULL,
    updated_at      DATETIME(6) NOT NULL,
    KEY ix_application_backchannel_logouts_app (application_id, created_at),
    KEY ix_application_backchannel_logouts_created (created_at),
    CONSTRAINT fk_application_backchannel_logouts_app FOREIGN KEY (application_id) REFERENCES applications (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
