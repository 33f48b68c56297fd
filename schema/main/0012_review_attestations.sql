-- The latest review decision about each developer app, recorded by the review panel (app site) when an admin
-- decides: a SHA-256 of the exact reviewed content and granted scopes (Domain's ReviewAttestation). Sync
-- applies an approved app from the developers database only when its content has this digest, so nothing
-- written to the developers database alone can make an app run, or change what a running app may do.
CREATE TABLE review_attestations (
    developer_app_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    client_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content_sha256   BINARY(32) NOT NULL,
    suspended        BOOLEAN NOT NULL,
    -- The admin's user id, for the record (no foreign key: removing a user must not be blocked by it).
    decided_by       BIGINT UNSIGNED NOT NULL,
    decided_at       DATETIME(6) NOT NULL,
    UNIQUE KEY uq_review_attestations_client (client_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
