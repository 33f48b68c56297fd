-- Schools, people and their school data, plus what sign-in needs (sessions, throttling, reset links).
-- Everything that comes from a roster keeps its OneRoster `sourced_id`, unique within its school, so a
-- re-import updates rows in place instead of duplicating them.

CREATE TABLE schools (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sourced_id      VARCHAR(255) NOT NULL,
    name            VARCHAR(255) NOT NULL,
    identifier      VARCHAR(255) NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_schools_sourced_id (sourced_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per person. Platform admins belong to no school. `email` and `username` are the two sign-in
-- identifiers, each unique over the whole installation; both are stored lower-cased.
CREATE TABLE users (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NULL,
    sourced_id      VARCHAR(255) NULL,
    role            ENUM('student', 'teacher', 'parent', 'school_admin', 'platform_admin') NOT NULL,
    given_name      VARCHAR(255) NOT NULL,
    family_name     VARCHAR(255) NOT NULL,
    email           VARCHAR(254) NULL,
    username        VARCHAR(255) NULL,
    grade_level     VARCHAR(32) NULL,
    password_hash   VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
    password_changed_at DATETIME(6) NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_users_email (email),
    UNIQUE KEY uq_users_username (username),
    UNIQUE KEY uq_users_school_sourced (school_id, sourced_id),
    KEY ix_users_school_role (school_id, role, family_name),
    CONSTRAINT fk_users_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT ck_users_school CHECK ((role = 'platform_admin') = (school_id IS NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- OneRoster academic sessions (terms, semesters, school years).
CREATE TABLE terms (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    sourced_id      VARCHAR(255) NOT NULL,
    title           VARCHAR(255) NOT NULL,
    kind            ENUM('gradingPeriod', 'semester', 'schoolYear', 'term') NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE KEY uq_terms_school_sourced (school_id, sourced_id),
    CONSTRAINT fk_terms_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT ck_terms_dates CHECK (start_date <= end_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE courses (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    sourced_id      VARCHAR(255) NOT NULL,
    title           VARCHAR(255) NOT NULL,
    course_code     VARCHAR(255) NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE KEY uq_courses_school_sourced (school_id, sourced_id),
    CONSTRAINT fk_courses_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE classes (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    sourced_id      VARCHAR(255) NOT NULL,
    title           VARCHAR(255) NOT NULL,
    class_code      VARCHAR(255) NULL,
    course_id       BIGINT UNSIGNED NOT NULL,
    term_id         BIGINT UNSIGNED NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE KEY uq_classes_school_sourced (school_id, sourced_id),
    CONSTRAINT fk_classes_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_classes_course FOREIGN KEY (course_id) REFERENCES courses (id),
    CONSTRAINT fk_classes_term FOREIGN KEY (term_id) REFERENCES terms (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Who is in which class, as student or teacher. Inactive rows are kept so a re-activation is an update.
CREATE TABLE enrollments (
    class_id        BIGINT UNSIGNED NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    role            ENUM('student', 'teacher') NOT NULL,
    sourced_id      VARCHAR(255) NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (class_id, user_id),
    KEY ix_enrollments_user (user_id, active, role),
    CONSTRAINT fk_enrollments_class FOREIGN KEY (class_id) REFERENCES classes (id),
    CONSTRAINT fk_enrollments_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A parent (or guardian) linked to a student of the same school.
CREATE TABLE guardianships (
    parent_id       BIGINT UNSIGNED NOT NULL,
    student_id      BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (parent_id, student_id),
    KEY ix_guardianships_student (student_id),
    CONSTRAINT fk_guardianships_parent FOREIGN KEY (parent_id) REFERENCES users (id),
    CONSTRAINT fk_guardianships_student FOREIGN KEY (student_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- An assessment of a class; its grades are visible to students and parents only once it is published.
CREATE TABLE assessments (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    class_id        BIGINT UNSIGNED NOT NULL,
    title           VARCHAR(200) NOT NULL,
    max_score       DECIMAL(7, 2) NOT NULL,
    due_date        DATE NULL,
    published       BOOLEAN NOT NULL DEFAULT FALSE,
    created_by      BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    KEY ix_assessments_class (class_id, published),
    CONSTRAINT fk_assessments_class FOREIGN KEY (class_id) REFERENCES classes (id),
    CONSTRAINT fk_assessments_creator FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT ck_assessments_max CHECK (max_score > 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE grades (
    assessment_id   BIGINT UNSIGNED NOT NULL,
    student_id      BIGINT UNSIGNED NOT NULL,
    score           DECIMAL(7, 2) NOT NULL,
    comment         VARCHAR(500) NULL,
    recorded_by     BIGINT UNSIGNED NOT NULL,
    recorded_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (assessment_id, student_id),
    KEY ix_grades_student (student_id),
    CONSTRAINT fk_grades_assessment FOREIGN KEY (assessment_id) REFERENCES assessments (id),
    CONSTRAINT fk_grades_student FOREIGN KEY (student_id) REFERENCES users (id),
    CONSTRAINT fk_grades_recorder FOREIGN KEY (recorded_by) REFERENCES users (id),
    CONSTRAINT ck_grades_score CHECK (score >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One mark per student, class and day.
CREATE TABLE attendance (
    class_id        BIGINT UNSIGNED NOT NULL,
    student_id      BIGINT UNSIGNED NOT NULL,
    day             DATE NOT NULL,
    status          ENUM('present', 'absent', 'late', 'excused') NOT NULL,
    note            VARCHAR(500) NULL,
    recorded_by     BIGINT UNSIGNED NOT NULL,
    recorded_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (class_id, student_id, day),
    KEY ix_attendance_student (student_id, day),
    CONSTRAINT fk_attendance_class FOREIGN KEY (class_id) REFERENCES classes (id),
    CONSTRAINT fk_attendance_student FOREIGN KEY (student_id) REFERENCES users (id),
    CONSTRAINT fk_attendance_recorder FOREIGN KEY (recorded_by) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Browser sessions of the app site, by the SHA-256 of the cookie value (the cookie itself is never stored).
CREATE TABLE sessions (
    token_digest    BINARY(32) NOT NULL PRIMARY KEY,
    user_id         BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    last_seen_at    DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    client_address  VARCHAR(45) NOT NULL,
    user_agent      VARCHAR(255) NOT NULL,
    KEY ix_sessions_user (user_id),
    KEY ix_sessions_expiry (expires_at),
    CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Failed sign-in counters, keyed by the SHA-256 of "account:<identifier>" or "address:<ip>", so an
-- unknown account is throttled exactly like a known one.
CREATE TABLE sign_in_throttle (
    key_digest      BINARY(32) NOT NULL PRIMARY KEY,
    failures        INT UNSIGNED NOT NULL,
    window_started_at DATETIME(6) NOT NULL,
    locked_until    DATETIME(6) NULL,
    KEY ix_sign_in_throttle_window (window_started_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Single-use links to reset or first set a password, by the SHA-256 of the token in the link.
CREATE TABLE password_links (
    token_digest    BINARY(32) NOT NULL PRIMARY KEY,
    user_id         BIGINT UNSIGNED NOT NULL,
    purpose         ENUM('reset', 'set') NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    KEY ix_password_links_user (user_id),
    KEY ix_password_links_expiry (expires_at),
    CONSTRAINT fk_password_links_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per roster import: who ran it, from where, and what it changed.
CREATE TABLE roster_imports (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    started_by      VARCHAR(255) NOT NULL,
    source          VARCHAR(255) NOT NULL,
    summary         VARCHAR(2000) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    KEY ix_roster_imports_school (school_id, created_at),
    CONSTRAINT fk_roster_imports_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
