-- When each client secret last authenticated its client (token, introspection and revocation requests), so a
-- developer rotating secrets can see whether the old one is still in use. Written at most once a minute per
-- secret; sync copies it to the developers database and notes what it copied in `last_used_pushed_at`.
ALTER TABLE oauth_client_secrets
    ADD COLUMN last_used_at DATETIME(6) NULL,
    ADD COLUMN last_used_pushed_at DATETIME(6) NULL;
