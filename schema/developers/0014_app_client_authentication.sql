-- How an app's server authenticates (client secrets, or private_key_jwt with a JWK Set or jwks_uri: RFC 7523, OIDC
-- Core §9) and whether it must use pushed authorization requests (RFC 9126 §6), issue 20 items 1 and 3. Reviewed
-- content like redirect URIs (ReviewAttestation covers it when set), so it is kept for the live (or draft) version
-- and for the pending change. NULL is the default every app had before: secrets, no PAR requirement. Otherwise
-- form-encoded `method` (client_secret | private_key_jwt), `jwks` or `jwks_uri`, and `require_par=1`, written by
-- ApplicationClientAuthentication.column. Sync carries the live value into main's oauth_clients (main 0040).
ALTER TABLE applications
    ADD COLUMN client_authentication MEDIUMTEXT NULL AFTER data_declarations,
    ADD COLUMN change_client_authentication MEDIUMTEXT NULL AFTER change_data_declarations;
