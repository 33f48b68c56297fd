-- A refresh may ask for fewer scopes than were granted (RFC 6749 §6): the access token it returns carries
-- only those, while the grant and its refresh token keep the rest. NULL means "the grant's scopes", which
-- is every token issued without narrowing.
ALTER TABLE oauth_tokens
    ADD COLUMN scopes VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER grant_id;
