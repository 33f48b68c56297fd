-- LTI 1.3 tools (issue 19 item 2), written only by sync from an app's reviewed LTI settings (developers 0021), kept
-- beside oauth_clients so that table keeps its shape. No row: the client is not an LTI tool. The tool's keys are the
-- client's private_key_jwt registration (oauth_clients.jwks or jwks_uri, main 0040).
CREATE TABLE lti_tools (
    client_pk       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    -- initiate_login_uri: where a launch sends the browser first (third-party initiated login).
    login_initiation_url VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- The default target_link_uri of a launch.
    target_link_uri VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    CONSTRAINT fk_lti_tools_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The addresses a launch's id_token may be form-posted to, in registration order, compared by exact string.
CREATE TABLE lti_tool_redirect_uris (
    client_pk       BIGINT UNSIGNED NOT NULL,
    position        SMALLINT UNSIGNED NOT NULL,
    uri             VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (client_pk, position),
    CONSTRAINT fk_lti_tool_redirect_uris_tool FOREIGN KEY (client_pk) REFERENCES lti_tools (client_pk) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
