-- The credentials of developer apps that main accepts (issue 13, item 7): one row per client secret or API key a
-- platform admin confirmed in the review panel (app site). The developers pool can write only the developers
-- database, and it holds the credential key, so it can compute the digest of any secret it makes up: a digest
-- found there proves nothing. Sync adds a secret or key to the OAuth tables only when this table holds it for the
-- same app (and, for a key, the same id and scopes), so nothing the developers database says alone gives anyone a
-- working credential. Revocations need no record: they only take access away.
CREATE TABLE credential_attestations (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    developer_app_id BIGINT UNSIGNED NOT NULL,
    kind             ENUM('client_secret', 'api_key') NOT NULL,
    source_id        BIGINT UNSIGNED NULL
                     COMMENT 'its id in the developers database; NULL for a secret main ran before this table existed',
    digest           BINARY(32) NOT NULL COMMENT 'HMAC-SHA256 under the credential key, as the OAuth tables hold it',
    scopes           VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT ''
                     COMMENT 'an API key''s scopes, space-separated; empty for a client secret',
    -- The admin's user id (no foreign key: removing a user must not be blocked by it); 0 for a credential main
    -- already ran when this table was created.
    decided_by       BIGINT UNSIGNED NOT NULL,
    decided_at       DATETIME(6) NOT NULL,
    UNIQUE KEY uq_credential_attestations_digest (kind, digest),
    KEY ix_credential_attestations_app (developer_app_id, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Upgrades: what main already runs stays valid. Every secret and key of a synced developer app is recorded as
-- confirmed before this table existed (decided_by 0).
INSERT IGNORE INTO credential_attestations (developer_app_id, kind, source_id, digest, scopes, decided_by, decided_at)
SELECT c.developer_app_id, 'client_secret', NULL, s.secret_digest, '', 0, NOW(6)
FROM oauth_client_secrets s JOIN oauth_clients c ON c.id = s.client_pk
WHERE c.developer_app_id IS NOT NULL;

INSERT IGNORE INTO credential_attestations (developer_app_id, kind, source_id, digest, scopes, decided_by, decided_at)
SELECT c.developer_app_id, 'api_key', k.source_id, k.key_digest, k.scopes, 0, NOW(6)
FROM api_keys k JOIN oauth_clients c ON c.id = k.client_pk
WHERE c.developer_app_id IS NOT NULL;
