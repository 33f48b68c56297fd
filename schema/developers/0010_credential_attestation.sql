-- When a platform admin confirmed a client secret or API key (issue 13, item 7). The record that counts is in
-- catalyst_main (`credential_attestations`), which sync checks; this copy, written by the review panel through
-- the app pool's grant, only lets the portal tell the developer that a new credential is waiting. The developers
-- pool's account may neither set it nor change it (deploy/mariadb/bootstrap.sh).
ALTER TABLE application_client_secrets
    ADD COLUMN attested_at DATETIME(6) NULL COMMENT 'confirmed by a platform admin; NULL while waiting' AFTER created_at,
    ADD KEY ix_application_client_secrets_waiting (attested_at, revoked_at);

ALTER TABLE api_keys
    ADD COLUMN attested_at DATETIME(6) NULL COMMENT 'confirmed by a platform admin; NULL while waiting' AFTER created_at,
    ADD KEY ix_api_keys_waiting (attested_at, revoked_at);

-- Upgrades: credentials made before confirmation existed are shown as confirmed. Main recorded those it already
-- ran (catalyst_main 0016); one made in the minute before the upgrade and not yet synced is refused by sync (its
-- report counts it under credentials_unattested) until the developer makes a new one.
UPDATE application_client_secrets SET attested_at = created_at;
UPDATE api_keys SET attested_at = created_at;
