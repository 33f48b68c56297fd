-- DPoP (RFC 9449, issue 20 item 2). A token bound to a client's key keeps the key's JWK SHA-256 thumbprint
-- (`cnf.jkt`, base64url, 43 characters); NULL is a bearer token. Resources accept a bound token only with a proof
-- signed by that key.
-- oauth_tokens is a big table (MigrationLockRule): the column is added in place of nothing (INSTANT), no copy, no lock.
ALTER TABLE oauth_tokens ADD COLUMN dpop_jkt CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER scopes, ALGORITHM = INSTANT;

-- The replay cache of DPoP proofs: SHA-256 of (key thumbprint, jti), kept until the proof's iat leaves the
-- accepted window (70 s); `catalystwells purge` deletes expired rows. Every DPoP request writes a row, so it is a
-- MEMORY table: no redo log and no flush per request (a durable InnoDB insert made DPoP cost far more than the
-- bearer lookup it guards). A MariaDB restart forgets the last 70 s of proofs, which only matters for a proof
-- captured in that window and still bound to its token's key and URL.
CREATE TABLE oauth_dpop_proof_uses (
    proof_digest    BINARY(32) NOT NULL PRIMARY KEY,
    expires_at      DATETIME(6) NOT NULL,
    KEY ix_oauth_dpop_proof_uses_expiry (expires_at) USING BTREE
) ENGINE = MEMORY;

-- RFC 9449 §5.2 `dpop_bound_access_tokens`: the client's token requests must carry a DPoP proof. Existing clients
-- keep bearer tokens; sync sets it for public clients it registers from now on (a public client proves nothing
-- but its client_id, so a stolen token should be useless without its key).
ALTER TABLE oauth_clients ADD COLUMN dpop_bound_access_tokens BOOLEAN NOT NULL DEFAULT FALSE;
