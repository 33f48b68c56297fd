-- The migration history of catalyst_developers. `catalystwells migrate` reads it to know what is applied and
-- refuses to run when an applied file's checksum changed. /healthz reads MAX(version) from it.
CREATE TABLE schema_migrations (
    version      INT UNSIGNED NOT NULL PRIMARY KEY,
    file_name    VARCHAR(255) NOT NULL,
    checksum     CHAR(64) CHARACTER SET ascii NOT NULL,
    applied_at   DATETIME(6) NOT NULL,
    duration_ms  INT UNSIGNED NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
