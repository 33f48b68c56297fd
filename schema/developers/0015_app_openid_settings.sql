-- The OpenID Connect client metadata a developer registers on the app form (issue 20 items 4 and 5):
-- `post_logout_redirect_uris`, `backchannel_logout_uri`, `backchannel_logout_session_required` and
-- `id_token_signed_response_alg`. Reviewed content like redirect URIs (ReviewAttestation covers it when set), kept for
-- the live (or draft) version and for the pending change. NULL is the default every app had before: no logout
-- registration, RS256. Otherwise form-encoded, written by ApplicationOpenIDSettings.column. Sync carries the live
-- value into main's oauth_client_logout and oauth_client_post_logout_redirect_uris (main 0042) and
-- oauth_clients.id_token_signed_response_alg (main 0046).
ALTER TABLE applications
    ADD COLUMN openid_settings MEDIUMTEXT NULL AFTER client_authentication,
    ADD COLUMN change_openid_settings MEDIUMTEXT NULL AFTER change_client_authentication;
