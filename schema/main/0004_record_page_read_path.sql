-- Enrolments by class and role: a class's teachers (named on every class card) and its students (whose
-- record versions change with the class's grades) without walking the whole roster.
ALTER TABLE enrollments ADD INDEX ix_enrollments_class_role (class_id, role, active, user_id);

-- A counter per student that every write to what their record page shows increases (grades saved or
-- (un)published, attendance, roster imports of their school), in the same transaction. Workers keep
-- rendered record pages by (student, version): a changed version is a miss, so a cached page is never stale.
ALTER TABLE users ADD COLUMN record_version BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER active;
