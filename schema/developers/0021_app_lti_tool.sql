-- LTI 1.3 tools (issue 19 item 2): an app that is an LTI tool registers its OIDC login initiation URL, its target link
-- URI and the redirect URIs a launch may post its id_token to. Reviewed content like redirect URIs (ReviewAttestation
-- covers it when set), kept for the live (or draft) version and for the pending change. NULL: not an LTI tool.
-- Otherwise form-encoded, written by LTIToolSettings.column. Sync carries the live value into main's lti_tools and
-- lti_tool_redirect_uris (main 0051).
ALTER TABLE applications
    ADD COLUMN lti_tool MEDIUMTEXT NULL AFTER openid_settings,
    ADD COLUMN change_lti_tool MEDIUMTEXT NULL AFTER change_openid_settings;
