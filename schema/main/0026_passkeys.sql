-- Passkeys of school users (issue 16, item 4): WebAuthn credentials (their COSE public key, the highest signature
-- counter seen, the backup flags), a random user handle per person (what the authenticator stores instead of
-- anything that names the person), and the challenges already answered (by their SHA-256, until they would have
-- expired), so a challenge counts once even if its sealed cookie were replayed.
CREATE TABLE user_passkey_handles (
    user_id         BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    handle          BINARY(32) NOT NULL,
    UNIQUE KEY uq_user_passkey_handles (handle),
    CONSTRAINT fk_user_passkey_handles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

CREATE TABLE user_passkeys (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT UNSIGNED NOT NULL,
    credential_id   VARBINARY(1023) NOT NULL,
    credential_hash BINARY(32) NOT NULL COMMENT 'SHA-256 of credential_id, the unique lookup key',
    public_key      VARBINARY(2048) NOT NULL COMMENT 'COSE_Key',
    cose_algorithm  INT NOT NULL,
    sign_count      INT UNSIGNED NOT NULL,
    backup_eligible BOOLEAN NOT NULL,
    backed_up       BOOLEAN NOT NULL,
    aaguid          BINARY(16) NOT NULL,
    name            VARCHAR(80) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NULL,
    UNIQUE KEY uq_user_passkeys_credential (credential_hash),
    KEY ix_user_passkeys_user (user_id),
    CONSTRAINT fk_user_passkeys_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE passkey_challenge_uses (
    replay_key      BINARY(32) NOT NULL PRIMARY KEY,
    expires_at      DATETIME(6) NOT NULL,
    KEY ix_passkey_challenge_uses_expiry (expires_at)
) ENGINE = InnoDB;
