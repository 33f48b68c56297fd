-- Developers' applications (issue 5 §3–4, DESIGN.md §7–8): the review state with its content, the review log,
-- and uploaded logos. Nothing here refers to catalyst_main: the developers pool's account cannot see it
-- (DESIGN.md §4); a platform admin is recorded by id and name only.
--
-- One row holds an application's whole review state, as ``ApplicationReview`` describes it:
-- - `status` and the content columns (`name` … `client_type`): for a draft, submitted or rejected app the
--   draft; for an approved or suspended app the live version the OAuth server runs with;
-- - `reason`: the reviewer's reason of a rejected or suspended app;
-- - `granted_scopes`, `approved_at`: set once approved (kept while suspended);
-- - `change_*`: the pending change of an approved or suspended app, with its own stage and reason.
-- Every save replaces the row in one conditional UPDATE on `version` (optimistic concurrency: a page that
-- loaded version n writes only if the row is still at n), in the transaction that appends to the log.
--
-- Redirect URIs and scopes are columns, not child tables: they are part of a versioned snapshot (the live
-- version and the pending change each have their own), always read and replaced whole with the rest of the
-- state, in request order, and never searched by element here (the OAuth server matches redirect URIs in
-- catalyst_main). So they use main's text forms: redirect URIs separated by LF, which no URI can contain
-- (RFC 3986 §2; the form refuses it), and scopes separated by a space, which no scope token can contain
-- (RFC 6749 §3.3). The sync copies them to main without conversion. URLs and scopes are ASCII by the form's
-- rules (HTTPSURLRule) and compared byte for byte, hence the binary ASCII columns.

-- Uploaded logos, named by the lower-case hex SHA-256 of their bytes: the same file uploaded twice is stored
-- once. Only PNG and JPEG recognised by content (LogoImage) ever get here.
CREATE TABLE application_logos (
    sha256          CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    content_type    ENUM('image/png', 'image/jpeg') NOT NULL,
    bytes           MEDIUMBLOB NOT NULL,
    width           SMALLINT UNSIGNED NOT NULL,
    height          SMALLINT UNSIGNED NOT NULL,
    uploaded_at     DATETIME(6) NOT NULL COMMENT 'last upload of these bytes; unreferenced logos are purged after a while',
    CONSTRAINT ck_application_logos_size CHECK (LENGTH(bytes) BETWEEN 1 AND 262144),
    CONSTRAINT ck_application_logos_pixels CHECK (width BETWEEN 1 AND 1024 AND height BETWEEN 1 AND 1024),
    CONSTRAINT ck_application_logos_name CHECK (sha256 REGEXP '^[0-9a-f]{64}$')
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE applications (
    id                      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    developer_id            BIGINT UNSIGNED NOT NULL,
    client_id               VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
                            COMMENT 'public OAuth client_id (cw_app_…), chosen at creation and never changed',
    status                  ENUM('draft', 'submitted', 'approved', 'rejected', 'suspended') NOT NULL,
    reason                  VARCHAR(1000) NULL COMMENT 'why it was rejected or suspended',
    name                    VARCHAR(200) NOT NULL,
    description             TEXT NOT NULL,
    homepage_url            VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    privacy_policy_url      VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    terms_url               VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    logo_sha256             CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    redirect_uris           TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'LF-separated, in order',
    requested_scopes        VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'space-separated, in order',
    client_type             ENUM('confidential', 'public') NOT NULL,
    granted_scopes          VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    approved_at             DATETIME(6) NULL COMMENT 'when the live version was approved',
    change_stage            ENUM('draft', 'submitted', 'rejected') NULL COMMENT 'the pending change; NULL for none',
    change_reason           VARCHAR(1000) NULL COMMENT 'why the pending change was rejected',
    change_name             VARCHAR(200) NULL,
    change_description      TEXT NULL,
    change_homepage_url     VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_privacy_policy_url VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_terms_url        VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_logo_sha256      CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_redirect_uris    TEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_requested_scopes VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL,
    change_client_type      ENUM('confidential', 'public') NULL,
    version                 BIGINT UNSIGNED NOT NULL DEFAULT 1 COMMENT 'incremented by every save',
    sync_requested_at       DATETIME(6) NULL
                            COMMENT 'set when what the OAuth server runs with changed (live version, scopes, status, secrets, keys); the sync clears it',
    created_at              DATETIME(6) NOT NULL,
    updated_at              DATETIME(6) NOT NULL,
    UNIQUE KEY uq_applications_client_id (client_id),
    KEY ix_applications_developer (developer_id, updated_at),
    KEY ix_applications_review (status, change_stage, updated_at),
    KEY ix_applications_sync (sync_requested_at),
    CONSTRAINT fk_applications_developer FOREIGN KEY (developer_id) REFERENCES developers (id),
    CONSTRAINT fk_applications_logo FOREIGN KEY (logo_sha256) REFERENCES application_logos (sha256),
    CONSTRAINT fk_applications_change_logo FOREIGN KEY (change_logo_sha256) REFERENCES application_logos (sha256),
    CONSTRAINT ck_applications_reason CHECK ((reason IS NOT NULL) = (status IN ('rejected', 'suspended'))),
    CONSTRAINT ck_applications_approval
        CHECK ((status IN ('approved', 'suspended')) = (approved_at IS NOT NULL AND granted_scopes IS NOT NULL)),
    CONSTRAINT ck_applications_change_only_when_live CHECK (change_stage IS NULL OR status IN ('approved', 'suspended')),
    CONSTRAINT ck_applications_change_content CHECK (
        (change_stage IS NULL) = (change_name IS NULL) AND (change_stage IS NULL) = (change_description IS NULL)
        AND (change_stage IS NULL) = (change_redirect_uris IS NULL)
        AND (change_stage IS NULL) = (change_requested_scopes IS NULL)
        AND (change_stage IS NULL) = (change_client_type IS NULL)),
    CONSTRAINT ck_applications_change_reason CHECK ((change_reason IS NOT NULL) = (change_stage <=> 'rejected')),
    CONSTRAINT ck_applications_version CHECK (version >= 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The review log: one row per ApplicationReview.TransitionRecord, appended in the transaction that saves the
-- new state. For the pending change (`subject` = 'pending_change'), NULL in `from_status` means "created"
-- and in `to_status` "discarded". `actor_id` is a developers.id, or a catalyst_main users.id for a platform
-- admin (no foreign key across databases), and `actor_name` keeps the name shown at the time.
CREATE TABLE application_transitions (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    subject         ENUM('application', 'pending_change') NOT NULL,
    from_status     ENUM('draft', 'submitted', 'approved', 'rejected', 'suspended') NULL,
    to_status       ENUM('draft', 'submitted', 'approved', 'rejected', 'suspended') NULL,
    actor_kind      ENUM('developer', 'platform_admin') NOT NULL,
    actor_id        BIGINT UNSIGNED NOT NULL,
    actor_name      VARCHAR(200) NOT NULL,
    reason          VARCHAR(1000) NULL,
    occurred_at     DATETIME(6) NOT NULL,
    KEY ix_application_transitions_app (application_id, occurred_at, id),
    CONSTRAINT fk_application_transitions_app FOREIGN KEY (application_id) REFERENCES applications (id)
        ON DELETE CASCADE,
    CONSTRAINT ck_application_transitions_change CHECK (from_status IS NOT NULL OR to_status IS NOT NULL),
    CONSTRAINT ck_application_transitions_app_statuses
        CHECK (subject = 'pending_change' OR (from_status IS NOT NULL AND to_status IS NOT NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
