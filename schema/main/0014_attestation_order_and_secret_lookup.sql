-- Review decisions are recorded after the developers database saved them, with the application version the
-- decision created: of two decisions recorded out of order, the older never replaces the newer.
ALTER TABLE review_attestations
    ADD COLUMN developer_app_version BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER suspended;

-- Sync sends a secret's last use back by its digest.
ALTER TABLE oauth_client_secrets
    ADD KEY ix_oauth_client_secrets_digest (secret_digest);
