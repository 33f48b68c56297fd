-- Developer portal accounts (DESIGN.md §7): the people who register apps, their browser sessions, sign-in
-- throttling, email verification and password reset links, and TOTP second factors with recovery codes.
-- Nothing here refers to catalyst_main: the developers pool's account cannot see it (DESIGN.md §4).
-- Bearer secrets (session cookies, links, recovery codes) are stored only as digests; the TOTP seed only
-- sealed by the application (AES-256-GCM), so a dump of this database lets nobody sign in.

-- One row per developer. `email` is stored lower-cased; the case-insensitive collation of the unique key
-- refuses a second account differing only in case even if a caller forgets. An account is `unverified`
-- until a verify_email link is used, and `suspended` by staff.
CREATE TABLE developers (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email               VARCHAR(254) NOT NULL,
    name                VARCHAR(200) NOT NULL,
    company             VARCHAR(200) NULL,
    password_hash       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
                        COMMENT 'PHC string, argon2id',
    state               ENUM('unverified', 'active', 'suspended') NOT NULL DEFAULT 'unverified',
    terms_accepted_at   DATETIME(6) NOT NULL,
    totp_secret_sealed  VARBINARY(255) NULL
                        COMMENT 'RFC 6238 seed sealed with AES-256-GCM by the app; pending while totp_enabled_at IS NULL',
    totp_enabled_at     DATETIME(6) NULL,
    totp_last_used_step BIGINT UNSIGNED NULL
                        COMMENT 'newest accepted time step: a code of this step or older is a replay (RFC 6238 §5.2)',
    created_at          DATETIME(6) NOT NULL,
    updated_at          DATETIME(6) NOT NULL,
    UNIQUE KEY uq_developers_email (email),
    CONSTRAINT ck_developers_totp_enabled_has_secret
        CHECK (totp_enabled_at IS NULL OR totp_secret_sealed IS NOT NULL)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Browser sessions of the developers site, by the SHA-256 of the cookie value. `id` is what the sessions
-- page puts in its sign-out forms, so the digest never leaves the server.
CREATE TABLE developer_sessions (
    token_digest    BINARY(32) NOT NULL PRIMARY KEY,
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    developer_id    BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    last_seen_at    DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    client_address  VARCHAR(45) NOT NULL,
    user_agent      VARCHAR(255) NOT NULL,
    UNIQUE KEY uq_developer_sessions_id (id),
    KEY ix_developer_sessions_developer (developer_id),
    KEY ix_developer_sessions_expiry (expires_at),
    CONSTRAINT fk_developer_sessions_developer FOREIGN KEY (developer_id) REFERENCES developers (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Failed sign-in counters, keyed by the SHA-256 of "account:<email>" or "address:<ip>" (the same shape and
-- rules as catalyst_main.sign_in_throttle), so an unknown email is throttled exactly like a known one.
CREATE TABLE developer_sign_in_throttle (
    key_digest      BINARY(32) NOT NULL PRIMARY KEY,
    failures        INT UNSIGNED NOT NULL,
    window_started_at DATETIME(6) NOT NULL,
    locked_until    DATETIME(6) NULL,
    KEY ix_developer_sign_in_throttle_window (window_started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Single-use, expiring links mailed to a developer, by the SHA-256 of the token in the link. Used links are
-- kept (until the purge) so a second click can be told "already used" rather than "unknown".
CREATE TABLE developer_links (
    token_digest    BINARY(32) NOT NULL PRIMARY KEY,
    developer_id    BIGINT UNSIGNED NOT NULL,
    purpose         ENUM('verify_email', 'reset_password') NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    KEY ix_developer_links_developer (developer_id, purpose, created_at),
    KEY ix_developer_links_expiry (expires_at),
    CONSTRAINT fk_developer_links_developer FOREIGN KEY (developer_id) REFERENCES developers (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The single-use recovery codes of a developer with TOTP enabled, by a 32-byte digest computed by the app.
-- Replaced as a set (enabling TOTP, regenerating) and deleted when TOTP is turned off.
CREATE TABLE developer_recovery_codes (
    developer_id    BIGINT UNSIGNED NOT NULL,
    code_digest     BINARY(32) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    PRIMARY KEY (developer_id, code_digest),
    CONSTRAINT fk_developer_recovery_codes_developer FOREIGN KEY (developer_id) REFERENCES developers (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
