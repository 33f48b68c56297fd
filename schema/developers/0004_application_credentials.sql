-- Credentials of approved applications (issue 5 §5–6): client secrets and API keys. Both are shown once and
-- stored only as a 32-byte digest computed by the application (HMAC-SHA256 under a key kept outside the
-- database, DESIGN.md §5), so a dump of this database authenticates nobody. Revoked rows are kept (with
-- `revoked_at`) so the pages can show the rotation history and the sync can revoke them in catalyst_main.

-- Client secrets. At most two active per application (the old and the new one during a rotation): the store
-- enforces it while holding the application's row lock, since a CHECK cannot count rows.
CREATE TABLE application_client_secrets (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    secret_digest   BINARY(32) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NULL COMMENT 'from catalyst_main, by the sync',
    revoked_at      DATETIME(6) NULL,
    UNIQUE KEY uq_application_client_secrets_digest (secret_digest),
    KEY ix_application_client_secrets_app (application_id, revoked_at),
    CONSTRAINT fk_application_client_secrets_app FOREIGN KEY (application_id) REFERENCES applications (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- API keys: `cw_key_` keys acting for the app with a subset of its approved app-level scopes. The visible
-- prefix (type and 8 random characters, 48 bits) lets a developer tell keys apart without revealing them.
CREATE TABLE api_keys (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    name            VARCHAR(200) NOT NULL,
    visible_prefix  VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    key_digest      BINARY(32) NOT NULL,
    scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'space-separated',
    created_at      DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NULL COMMENT 'from catalyst_main, by the sync',
    request_count   BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'from catalyst_main, by the sync',
    revoked_at      DATETIME(6) NULL,
    UNIQUE KEY uq_api_keys_digest (key_digest),
    KEY ix_api_keys_app (application_id, revoked_at),
    CONSTRAINT fk_api_keys_app FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
