-- Sync between the developers database and this one (issue 6, DESIGN §8).
--
-- Numbered 0010 so the education API's migrations (0007…) can land before it in any order.

-- The developers-database application an OAuth client was synced from; NULL for first-party clients made
-- with `catalystwells client create` and the demo clients.
ALTER TABLE oauth_clients
    ADD COLUMN developer_app_id BIGINT UNSIGNED NULL AFTER client_id,
    ADD UNIQUE KEY uq_oauth_clients_developer_app (developer_app_id);

-- API keys of approved apps, synced from the developers database: the keyed digest only (credentials.key),
-- for app-level reads. `source_id` is the key's id there, so a second sync updates instead of duplicating.
CREATE TABLE api_keys (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    source_id       BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    key_digest      BINARY(32) NOT NULL,
    scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    revoked_at      DATETIME(6) NULL,
    UNIQUE KEY uq_api_keys_source (source_id),
    UNIQUE KEY uq_api_keys_digest (key_digest),
    CONSTRAINT fk_api_keys_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Watermarks of the incremental parts of sync, by name (for example the first day whose usage figures may
-- still change). Written in the same transaction as the work they mark.
CREATE TABLE sync_state (
    name            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    value           VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    updated_at      DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Authorization events for webhooks (authorization.granted, authorization.revoked), written by the consent
-- store in the same transaction as the consent change; sync hands them to the developers database and sets
-- `handed_over_at`. Thin: the payload holds the type, the time and the client id, no user data.
CREATE TABLE webhook_outbox (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    event_type      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    occurred_at     DATETIME(6) NOT NULL,
    handed_over_at  DATETIME(6) NULL,
    KEY ix_webhook_outbox_pending (handed_over_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- When each access-log row was written (the server's clock at insert): sync folds rows into the usage
-- counters only once they are older than a few seconds, so a batch still being inserted under a lower id
-- is never skipped by the id watermark.
-- `api_key_id` is the developers-database id of the API key a call was made with (NULL for access tokens),
-- which sync turns into each key's request count and last use.
ALTER TABLE data_access_log
    ADD COLUMN written_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    ADD COLUMN api_key_id BIGINT UNSIGNED NULL;

-- Daily usage per app, folded in incrementally by sync from the data-access log, grants and the consent
-- outbox (each read by id past a watermark kept in sync_state, in the same transaction), so a run reads only
-- what is new. `dirty` marks counters the developers database has not received yet.
CREATE TABLE usage_daily (
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    day             DATE NOT NULL,
    api_requests    BIGINT UNSIGNED NOT NULL DEFAULT 0,
    errors          BIGINT UNSIGNED NOT NULL DEFAULT 0,
    authorizations  BIGINT UNSIGNED NOT NULL DEFAULT 0,
    new_users       BIGINT UNSIGNED NOT NULL DEFAULT 0,
    dirty           BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (client_id, day),
    KEY ix_usage_daily_dirty (dirty)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The distinct users active with an app on a day (API calls on their behalf, or a grant): counted, not summed.
CREATE TABLE usage_daily_users (
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    day             DATE NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (client_id, day, user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Each API key's use, folded in with the daily counters; `dirty` until the developers database has it.
CREATE TABLE usage_api_keys (
    source_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    request_count   BIGINT UNSIGNED NOT NULL DEFAULT 0,
    last_used_at    DATETIME(6) NOT NULL,
    dirty           BOOLEAN NOT NULL DEFAULT TRUE,
    KEY ix_usage_api_keys_dirty (dirty)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
