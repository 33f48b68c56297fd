-- `dpop_jkt` (RFC 9449 §10, issue 20): the DPoP key thumbprint an authorization request (plain or pushed) bound its
-- code to; the token request must then carry a proof by that key. NULL for a code bound to no key.
-- Codes live a minute, the table stays small; the column is added INSTANT all the same.
ALTER TABLE oauth_codes
    ADD COLUMN dpop_jkt CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER code_challenge, ALGORITHM = INSTANT;
