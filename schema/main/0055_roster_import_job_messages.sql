-- Issue 22: a queued roster import's outcome (its summary lines, or the problems) kept as message codes, so the
-- job's page shows them in the reader's language: a JSON array of {"key", "english", "count", "arguments",
-- "numbers", "nested"} objects (`Message` in Domain), written with `outcome` when the job ends. `outcome` keeps the
-- English lines (for an operator, and for older versions); a job finished before this migration has NULL here, and
-- its page shows the English. Added INSTANT (no copy of the table, no lock).
ALTER TABLE roster_import_jobs
    ADD COLUMN outcome_messages MEDIUMTEXT NULL AFTER outcome, ALGORITHM = INSTANT;
