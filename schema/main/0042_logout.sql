-- Logout (issue 20 item 4): OpenID Connect RP-Initiated Logout 1.0 and Back-Channel Logout 1.0.
--
-- Tokens know their session: an authorization code copies the SHA-256 of the browser session's cookie (the key of
-- `sessions`, never the cookie), and the grant its exchange creates copies it from the code, so ending a session
-- finds the apps it authorised and "sign out of this device" can revoke their tokens. NULL: issued before this
-- release, or not through a browser session (client_credentials). The ID token's `sid` is an HMAC of this digest
-- under a key derived from the OAuth key file, so it reveals neither the cookie nor the digest.
-- oauth_codes and oauth_grants are big tables (MigrationLockRule): INSTANT columns, an online index.
ALTER TABLE oauth_codes ADD COLUMN session_digest BINARY(32) NULL, ALGORITHM = INSTANT;
ALTER TABLE oauth_grants ADD COLUMN session_digest BINARY(32) NULL, ALGORITHM = INSTANT;
ALTER TABLE oauth_grants ADD KEY ix_oauth_grants_session (session_digest), ALGORITHM = INPLACE, LOCK = NONE;

-- A client's logout registration (client metadata `backchannel_logout_uri`, `backchannel_logout_session_required`,
-- `post_logout_redirect_uris`), kept beside `oauth_clients` so that table keeps its shape. No row: none registered.
CREATE TABLE oauth_client_logout (
    client_pk       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    backchannel_logout_uri VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT fk_oauth_client_logout_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Registered post-logout redirect URIs in registration order, compared by exact string (RP-Initiated Logout §3).
CREATE TABLE oauth_client_post_logout_redirect_uris (
    client_pk       BIGINT UNSIGNED NOT NULL,
    position        SMALLINT UNSIGNED NOT NULL,
    uri             VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (client_pk, position),
    CONSTRAINT fk_oauth_post_logout_uris_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Back-channel logouts to send: one row per app a session authorised, written when the session ends, sent by
-- `POST /internal/cron/backchannel-logout` (and right after the sign-out's answer). The logout token is signed when
-- it is sent (never stored); `session_digest` gives its `sid`. Retried with backoff (`BackchannelLogoutPolicy`);
--
-- `next_attempt_at` NULL once delivered or given up; finished rows are the app's log of what was sent.
CREATE TABLE backchannel_logouts (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_pk       BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    session_digest  BINARY(32) NULL,
    created_at      DATETIME(6) NOT NULL,
    attempts        SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NULL,
    delivered_at    DATETIME(6) NULL,
    last_status     SMALLINT UNSIGNED NULL,
    last_error      VARCHAR(255) NULL,
    KEY ix_backchannel_logouts_due (next_attempt_at),
    KEY ix_backchannel_logouts_client (client_pk, created_at),
    CONSTRAINT fk_backchannel_logouts_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
