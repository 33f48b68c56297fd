-- The student page's read path: each assessment keeps its class average and graded count, updated in the
-- same transaction that saves its grades, so showing a grade no longer averages the whole class per row;
-- and attendance counts by status come from an index alone.
ALTER TABLE assessments
    ADD COLUMN graded_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER published,
    ADD COLUMN average_score DECIMAL(7, 2) NULL AFTER graded_count;

UPDATE assessments a
   SET a.graded_count = (SELECT COUNT(*) FROM grades g WHERE g.assessment_id = a.id),
       a.average_score = (SELECT ROUND(AVG(g.score), 2) FROM grades g WHERE g.assessment_id = a.id);

ALTER TABLE attendance ADD INDEX ix_attendance_student_status (student_id, status);
