-- A client's `id_token_signed_response_alg` (OIDC Dynamic Client Registration §2, issue 20): how its ID tokens and
-- logout tokens are signed, with the current signing key of that algorithm. RS256 is what every client had before;
-- sync sets ES256 for an app whose reviewed portal registration asks for it (developers 0015).
-- A small table, but the column is added INSTANT all the same (no copy, no lock).
ALTER TABLE oauth_clients
    ADD COLUMN id_token_signed_response_alg ENUM('RS256', 'ES256') CHARACTER SET ascii NOT NULL DEFAULT 'RS256', ALGORITHM = INSTANT;
