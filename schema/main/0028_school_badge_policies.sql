-- Each school's rule for QR badges (issue 16, item 3): which roles may sign in with one (no row: students only) and
-- the network ranges badges work from (CIDR text separated by spaces, canonical; empty: anywhere).
CREATE TABLE school_badge_policies (
    school_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    roles           SET('student', 'teacher', 'parent', 'school_admin') NOT NULL,
    networks        VARCHAR(4000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_badge_policies_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB;
