-- A school's rule for temporary passwords (issue 16, item 1), set on the school admin's Passwords page: whether one
-- must be changed at the next sign-in. No row: the default, it must.
CREATE TABLE school_password_policies (
    school_id               BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    temporary_must_change   BOOLEAN NOT NULL,
    updated_at              DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_password_policies_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
