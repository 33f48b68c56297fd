-- LTI 1.3 placements and launches (issue 19 item 2, slice 2). A school's use of a tool is a deployment with an opaque
-- id (the launch's lti_deployment_id), made when a teacher of the school first places the tool; a placement in a class
-- is a resource link with an opaque id; a launch in progress is the digest of its single-use lti_message_hint.
CREATE TABLE lti_deployments (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_pk       BIGINT UNSIGNED NOT NULL,
    school_id       BIGINT UNSIGNED NOT NULL,
    deployment_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_lti_deployments_tool_school (client_pk, school_id),
    UNIQUE KEY uq_lti_deployments_id (deployment_id),
    CONSTRAINT fk_lti_deployments_tool FOREIGN KEY (client_pk) REFERENCES lti_tools (client_pk) ON DELETE CASCADE,
    CONSTRAINT fk_lti_deployments_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE lti_resource_links (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- resource_link.id as the tool sees it: random, stable.
    link_id         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    deployment_pk   BIGINT UNSIGNED NOT NULL,
    class_id        BIGINT UNSIGNED NOT NULL,
    title           VARCHAR(255) NOT NULL,
    -- The teacher who placed it (NULL once that account is erased).
    created_by      BIGINT UNSIGNED NULL,
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_lti_resource_links_link (link_id),
    KEY ix_lti_resource_links_class (class_id, title),
    CONSTRAINT fk_lti_resource_links_deployment FOREIGN KEY (deployment_pk) REFERENCES lti_deployments (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_resource_links_class FOREIGN KEY (class_id) REFERENCES classes (id),
    CONSTRAINT fk_lti_resource_links_creator FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A launch between the class page and the tool's authentication request: the SHA-256 of the lti_message_hint, never
-- the hint; used once (used_at), for LTIPendingLaunch.lifetime.
CREATE TABLE lti_launches (
    hint_digest     BINARY(32) NOT NULL PRIMARY KEY,
    link_pk         BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    login_hint      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    KEY ix_lti_launches_expires (expires_at),
    CONSTRAINT fk_lti_launches_link FOREIGN KEY (link_pk) REFERENCES lti_resource_links (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_launches_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
