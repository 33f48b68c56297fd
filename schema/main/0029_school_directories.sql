-- A school's LDAP directory or Active Directory (issue 15): the school's sign-in page checks passwords against it.
-- One per school. `uris`: the servers in failover order, space-separated (each ldaps://, or ldap:// upgraded with
-- StartTLS; no TLS only for ldapi:// or loopback with `allow_plain`). The service account's password is sealed
-- (AES-256-GCM under a key derived from the OAuth key file, the school id as associated data), as upstream client
-- secrets are: the search needs it back, so it cannot be a digest, and a database dump alone does not give it away.
-- Nothing a directory answers is stored here or anywhere: every sign-in asks it again.
CREATE TABLE school_directories (
    school_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    name            VARCHAR(80) NOT NULL,
    uris            VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    allow_plain     BOOLEAN NOT NULL DEFAULT FALSE,
    ca_file         VARCHAR(512) NOT NULL DEFAULT '',
    bind_dn         VARCHAR(512) NOT NULL,
    bind_password_sealed VARBINARY(1024) NOT NULL,
    base_dn         VARCHAR(512) NOT NULL,
    search_filter   VARCHAR(1024) NOT NULL,
    link_rule       ENUM('email', 'sourced_id', 'username') NOT NULL DEFAULT 'email',
    link_attribute  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    disabled_check  ENUM('none', 'active_directory') NOT NULL DEFAULT 'none',
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_directories_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
