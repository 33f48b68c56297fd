-- Second factors of school users (issue 16, items 4 and 5): a TOTP seed per person (sealed by the app pool under a
-- key from the OAuth key file; pending until a first code confirms it), recovery codes as keyed digests, and each
-- school's rule of which roles must have a second factor (no row: school admins must).
CREATE TABLE user_totp (
    user_id         BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    secret_sealed   VARBINARY(128) NOT NULL,
    enabled_at      DATETIME(6) NULL,
    last_used_step  BIGINT NULL,
    created_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_user_totp_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

CREATE TABLE user_recovery_codes (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT UNSIGNED NOT NULL,
    code_digest     BINARY(32) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    UNIQUE KEY uq_user_recovery_codes (user_id, code_digest),
    CONSTRAINT fk_user_recovery_codes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;

CREATE TABLE school_second_factor_policies (
    school_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    required_roles  SET('student', 'teacher', 'parent', 'school_admin') NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_second_factor_policies_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB;
