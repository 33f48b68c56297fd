-- How the person signed in (OIDC `amr`, RFC 8176 §2), so ID tokens can say it: the session keeps the methods
-- its sign-in used, and each authorization code copies them from the session it was issued under (as it copies
-- `auth_time`), since the token endpoint never sees the session. Space-separated method names ("pwd", "fed",
-- "otp", "hwk", in the order used), like the scope columns. Grants get no copy: ID tokens minted on refresh
-- leave `amr` out, as they leave out `auth_time`.
--
-- The default 'pwd' is true of every existing row (passwords were the only method) and of every row the
-- previous release writes while it still runs between `migrate` and the pools' restart; this release always
-- names the column.
ALTER TABLE sessions
    ADD COLUMN amr VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'pwd' AFTER created_at;

ALTER TABLE oauth_codes
    ADD COLUMN amr VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'pwd' AFTER auth_time;
