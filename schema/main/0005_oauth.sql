-- The OAuth 2.0 / OpenID Connect provider (DESIGN §5): registered clients and their secrets, authorization
-- codes, grants with their token families, users' standing consents, and the keys that sign ID tokens.
--
-- Secrets, codes and tokens are stored only as digests (SHA-256, or HMAC-SHA256 for client secrets), so a
-- copy of this database cannot be replayed against the token endpoint.
--
-- Clients have a numeric surrogate key, referenced as `client_pk` everywhere, because the public `client_id`
-- string is up to 64 bytes and would widen every index that leads with it; `client_id` is reserved for that
-- public string.
--
-- A token carries no client, user or scopes of its own: they are its grant's, reached by primary key
-- (token -> grant -> client, two eq_ref lookups in the one query a token is read with). Tokens of a grant
-- always share its scopes, so copying them would only add a way for the two to disagree. The one derived
-- column is `oauth_grants.expires_at`, kept for the purge (see below).
--
-- Locking order, so concurrent operations on one token family queue instead of deadlocking: consent row, then
-- codes, then the grant row, then its tokens (rotation, reuse detection, grant and consent revocation all lock
-- the grant before touching its tokens). Nothing takes a client row `FOR UPDATE` on a request path, since
-- every grant of the client would then queue behind it.
--
-- Text that is compared byte for byte (client ids, redirect URIs, scopes, nonces, PKCE challenges, key ids)
-- uses a binary collation; scopes and challenges are ASCII by their RFCs (RFC 6749 §3.3, RFC 7636 §4.2).

CREATE TABLE oauth_clients (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name            VARCHAR(255) NOT NULL,
    description     VARCHAR(2000) NOT NULL DEFAULT '',
    logo_url        VARCHAR(2000) NULL,
    homepage_url    VARCHAR(2000) NULL,
    privacy_url     VARCHAR(2000) NULL,
    terms_url       VARCHAR(2000) NULL,
    developer_name  VARCHAR(255) NOT NULL,
    -- Shown as a badge on the consent page: only the platform sets it, after review.
    verified        BOOLEAN NOT NULL DEFAULT FALSE,
    first_party     BOOLEAN NOT NULL DEFAULT FALSE,
    kind            ENUM('confidential', 'public') NOT NULL,
    -- Space-separated scope tokens, as in the `scope` parameter (RFC 6749 §3.3).
    allowed_scopes  VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    -- A suspended or disabled client keeps its row (and its grants' history) but gets no new tokens.
    status          ENUM('active', 'suspended', 'disabled') NOT NULL DEFAULT 'active',
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_oauth_clients_client_id (client_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Registered redirect URIs in registration order, compared by exact string (RFC 9700 §4.1.3). Too long to
-- be unique-indexed; the client is registered in one transaction, so duplicates are the registrar's to refuse.
CREATE TABLE oauth_client_redirect_uris (
    client_pk       BIGINT UNSIGNED NOT NULL,
    position        SMALLINT UNSIGNED NOT NULL,
    uri             VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (client_pk, position),
    CONSTRAINT fk_oauth_redirect_uris_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Client secrets as HMAC-SHA256 digests (machine-generated secrets need no slow hash, DESIGN §5). Two may be
-- valid at once so a client can roll its secret without downtime; adding a third ends the oldest
-- (`valid_until` set to the moment it was replaced). `id` orders secrets added within the same microsecond.
CREATE TABLE oauth_client_secrets (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_pk       BIGINT UNSIGNED NOT NULL,
    secret_digest   BINARY(32) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    valid_until     DATETIME(6) NULL,
    UNIQUE KEY uq_oauth_client_secrets_digest (client_pk, secret_digest),
    CONSTRAINT fk_oauth_client_secrets_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A user's authorisation of a client, from which a family of tokens descends; client_credentials grants have
-- no user. Revoking the grant revokes the family (RFC 9700 §4.14). `expires_at` is the latest expiry of any
-- token ever issued in it (raised on each rotation, under the grant's row lock): after it nothing of the
-- grant can be used, revoked or not, so the purge deletes grants (and with them their code) by it through an
-- index instead of searching for grants whose tokens are all gone.
CREATE TABLE oauth_grants (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_pk       BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NULL,
    scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    auth_time       DATETIME(6) NULL,
    created_at      DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    revoked_at      DATETIME(6) NULL,
    -- A user's grants for a client: revoking a connected app, listing them.
    KEY ix_oauth_grants_user_client (user_id, client_pk),
    KEY ix_oauth_grants_client (client_pk),
    KEY ix_oauth_grants_expiry (expires_at),
    CONSTRAINT fk_oauth_grants_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id),
    CONSTRAINT fk_oauth_grants_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Authorization codes by SHA-256 digest: single use, about 60 s, bound to client, redirect URI, PKCE
-- challenge and nonce (RFC 6749 §4.1.2, RFC 7636, OIDC Core §3.1.2.1). `consumed_at` makes them single-use;
-- `grant_id` is the grant the first exchange created, so a replay can revoke it (RFC 9700 §4.2.4), and
-- `replayed_at` records a replay that came before that grant was attached, so attaching it revokes it.
-- A code with a grant lives as long as the grant (deleted with it), so a replay is caught for the grant's
-- whole life; the purge deletes only expired codes without one, through (grant_id, expires_at).
CREATE TABLE oauth_codes (
    code_digest     BINARY(32) NOT NULL PRIMARY KEY,
    client_pk       BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    redirect_uri    VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- The S256 challenge: 43 base64url characters (RFC 7636 §4.2); `plain` is never stored.
    code_challenge  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
    nonce           VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    auth_time       DATETIME(6) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    consumed_at     DATETIME(6) NULL,
    replayed_at     DATETIME(6) NULL,
    grant_id        BIGINT UNSIGNED NULL,
    KEY ix_oauth_codes_expiry (grant_id, expires_at),
    -- A user disconnecting an app ends the codes not yet exchanged.
    KEY ix_oauth_codes_user_client (user_id, client_pk),
    CONSTRAINT fk_oauth_codes_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id),
    CONSTRAINT fk_oauth_codes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_oauth_codes_grant FOREIGN KEY (grant_id) REFERENCES oauth_grants (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Access and refresh tokens by SHA-256 digest. A refresh token is spent by rotation (`rotated_at`) and kept
-- until it expires, so presenting it again is recognised as reuse (RFC 9700 §4.14.2); a grant has at most one
-- live refresh token, which rotation guarantees under the grant's row lock. (A unique index on a generated
-- "live refresh token of grant" column would state that in the schema, but its duplicate checks take gap
-- locks that make unrelated rotations deadlock each other, so the guarantee stays in the one store
-- operation and its concurrency test.)
CREATE TABLE oauth_tokens (
    token_digest    BINARY(32) NOT NULL PRIMARY KEY,
    kind            ENUM('access', 'refresh') NOT NULL,
    grant_id        BIGINT UNSIGNED NOT NULL,
    issued_at       DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    revoked_at      DATETIME(6) NULL,
    rotated_at      DATETIME(6) NULL,
    KEY ix_oauth_tokens_expiry (expires_at),
    KEY ix_oauth_tokens_grant (grant_id),
    CONSTRAINT fk_oauth_tokens_grant FOREIGN KEY (grant_id) REFERENCES oauth_grants (id) ON DELETE CASCADE,
    CONSTRAINT ck_oauth_tokens_rotation CHECK (kind = 'refresh' OR rotated_at IS NULL)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- What a user agreed to share with a client, remembered so the same request skips the consent page and a
-- request for new scopes asks again (DESIGN §5). A withdrawn consent keeps its row (`revoked_at`) for the
-- record; consenting again starts it afresh.
CREATE TABLE oauth_consents (
    user_id         BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    first_granted_at DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NULL,
    revoked_at      DATETIME(6) NULL,
    PRIMARY KEY (user_id, client_pk),
    KEY ix_oauth_consents_client (client_pk),
    CONSTRAINT fk_oauth_consents_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_oauth_consents_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Keys that sign ID tokens. The private key is sealed with AES-256-GCM by a key kept outside the database, so
-- a dump alone cannot sign tokens. A retired key stops signing but stays published in the JWKS until the
-- tokens it signed have expired.
CREATE TABLE oauth_signing_keys (
    kid             VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    algorithm       ENUM('RS256', 'ES256') NOT NULL,
    sealed_private_key VARBINARY(4096) NOT NULL,
    public_jwk      VARCHAR(4000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    retired_at      DATETIME(6) NULL,
    KEY ix_oauth_signing_keys_current (algorithm, retired_at, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
