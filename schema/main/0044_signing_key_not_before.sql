-- A new ID-token signing key is published before it signs (issue 18): `keys rotate` sets `not_before` to now plus
-- `oauth.key_publish_delay_seconds`, and the previous key keeps signing until then (its `retired_at` is that same
-- time). A relying party that fetched the JWKS from any host (or a Galera node that lagged) during the delay
-- already holds the new `kid` when the first token signed with it arrives. NULL: signs since it was created (keys
-- made before this file, and a first key, which has no predecessor to wait for). Compared with the database's
-- clock. One row per rotation: the ALTER is instant.
ALTER TABLE oauth_signing_keys
    ADD COLUMN not_before DATETIME(6) NULL AFTER created_at;
