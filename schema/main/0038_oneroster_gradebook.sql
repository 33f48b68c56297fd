-- OneRoster gradebook writes (issue 19): a line item or result an app puts keeps the app and the app's sourcedId, so a
-- second PUT of the same id replaces it and the teacher's gradebook can say which app it came from. Teachers' own
-- assessments and grades have neither (their OneRoster ids are derived: assessment-<id>). NULLs do not collide in a
-- unique key, so only the apps' ids are unique, per app.
ALTER TABLE assessments
    ADD COLUMN source_client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER created_by,
    ADD COLUMN sourced_id VARCHAR(255) NULL AFTER source_client_id,
    ADD UNIQUE KEY uq_assessments_client_sourced (source_client_id, sourced_id);

-- grades is a big table (MigrationLockRule): the columns are added INSTANT, and the index is built online
-- (INPLACE, LOCK=NONE), so the pools keep reading and writing grades during the upgrade.
ALTER TABLE grades
    ADD COLUMN source_client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER recorded_at,
    ADD COLUMN sourced_id VARCHAR(255) NULL AFTER source_client_id,
    ALGORITHM = INSTANT;
ALTER TABLE grades ADD UNIQUE KEY uq_grades_client_sourced (source_client_id, sourced_id), ALGORITHM = INPLACE, LOCK = NONE;
