-- Passkeys of developers on the portal (issue 16, item 4): the same three tables as main's user passkeys
-- (0026_passkeys.sql there), in this database because the developers pool cannot reach catalyst_main. A
-- credential's COSE public key, the highest signature counter seen and its backup flags; a random WebAuthn user
-- handle per developer; and the challenges already answered (their SHA-256, until they would have expired).
CREATE TABLE developer_passkey_handles (
    developer_id    BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    handle          BINARY(32) NOT NULL,
    UNIQUE KEY uq_developer_passkey_handles (handle),
    CONSTRAINT fk_developer_passkey_handles_developer FOREIGN KEY (developer_id) REFERENCES developers (id) ON DELETE CASCADE
) ENGINE = InnoDB;

CREATE TABLE developer_passkeys (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    developer_id    BIGINT UNSIGNED NOT NULL,
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
    UNIQUE KEY uq_developer_passkeys_credential (credential_hash),
    KEY ix_developer_passkeys_developer (developer_id),
    CONSTRAINT fk_developer_passkeys_developer FOREIGN KEY (developer_id) REFERENCES developers (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE developer_passkey_challenge_uses (
    replay_key      BINARY(32) NOT NULL PRIMARY KEY,
    expires_at      DATETIME(6) NOT NULL,
    KEY ix_developer_passkey_challenge_uses_expiry (expires_at)
) ENGINE = InnoDB;
