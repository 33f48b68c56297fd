-- Pushed authorization requests (RFC 9126) and private_key_jwt client authentication (RFC 7523, OIDC Core §9),
-- issue 20 items 1 and 3.

-- How a client proves itself at the token, PAR, introspection and revocation endpoints. NULL keeps what the client
-- always did (its kind decides: secrets for confidential clients, nothing for public ones); 'private_key_jwt' makes
-- it sign assertions with a key of `jwks` (a registered JWK Set document) or of the document at `jwks_uri`, and its
-- secrets no longer count. `require_pushed_authorization_requests` (RFC 9126 §6): /authsso accepts the client's
-- requests only by a request_uri from the PAR endpoint.
ALTER TABLE oauth_clients
    ADD COLUMN token_endpoint_auth_method VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN jwks TEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN jwks_uri VARCHAR(2000) NULL,
    ADD COLUMN require_pushed_authorization_requests BOOLEAN NOT NULL DEFAULT FALSE,
    ALGORITHM = INSTANT;

-- A pushed request, by the SHA-256 of its request_uri's random part (the reference itself is only in the answer to
-- the client). Kept for its 60 s; `consumed_at` is set by the one conditional UPDATE that lets its code be issued,
-- so a second use finds it spent. `parameters` is the validated request, form-encoded (without the client's
-- credentials). `catalystwells purge` deletes expired rows.
CREATE TABLE oauth_pushed_requests (
    reference_digest BINARY(32) NOT NULL PRIMARY KEY,
    client_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    parameters       TEXT NOT NULL,
    expires_at       DATETIME(6) NOT NULL,
    consumed_at      DATETIME(6) NULL,
    KEY ix_oauth_pushed_requests_expiry (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The replay cache of client assertions (RFC 7523 §3 item 7): SHA-256 of (client_id, jti), kept until the
-- assertion's exp (at most 5 minutes ahead). A MEMORY table like oauth_dpop_proof_uses: one row per assertion, no
-- redo log. A MariaDB restart forgets the last minutes of jtis; an assertion captured then and replayed before its
-- exp would pass once more, which is the trade the DPoP cache made too.
CREATE TABLE oauth_client_assertion_uses (
    assertion_digest BINARY(32) NOT NULL PRIMARY KEY,
    expires_at       DATETIME(6) NOT NULL,
    KEY ix_oauth_client_assertion_uses_expiry (expires_at) USING BTREE
) ENGINE = MEMORY;
