-- LTI Deep Linking 2.0 (issue 19). A tool may register a Deep Linking URL (developers applications.lti_tool carries it
-- in its form-encoded column; sync writes it here; NULL: the tool offers no content selection). A placement made
-- from a Deep Linking content item keeps the item's url (the launch's target_link_uri; NULL: the tool's default)
-- and its custom parameters (form-encoded, sent in the launch's custom claim). A Deep Linking request a teacher
-- started is stored as the digests of its lti_message_hint (spent by the launch) and of its data (spent by the one
-- response accepted), bound to the teacher, the class and the school's deployment, for LTIDeepLinkingRequest.lifetime.
ALTER TABLE lti_tools
    ADD COLUMN deep_linking_url VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER target_link_uri;

ALTER TABLE lti_resource_links
    ADD COLUMN target_link_uri VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER title,
    ADD COLUMN custom TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER target_link_uri;

CREATE TABLE lti_deep_linking_requests (
    hint_digest     BINARY(32) NOT NULL PRIMARY KEY,
    data_digest     BINARY(32) NOT NULL,
    deployment_pk   BIGINT UNSIGNED NOT NULL,
    class_id        BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    login_hint      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    hint_used_at    DATETIME(6) NULL,
    returned_at     DATETIME(6) NULL,
    UNIQUE KEY uq_lti_deep_linking_requests_data (data_digest),
    KEY ix_lti_deep_linking_requests_expires (expires_at),
    CONSTRAINT fk_lti_deep_linking_requests_deployment FOREIGN KEY (deployment_pk) REFERENCES lti_deployments (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_deep_linking_requests_class FOREIGN KEY (class_id) REFERENCES classes (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_deep_linking_requests_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
