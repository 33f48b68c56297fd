-- Who last uploaded each logo, so uploads can be limited per developer (issue 13 finding 9). Existing logos
-- have no uploader: they count against no one.
ALTER TABLE application_logos
    ADD COLUMN uploaded_by BIGINT UNSIGNED NULL COMMENT 'developers.id of the last upload of these bytes',
    ADD KEY ix_application_logos_uploader (uploaded_by, uploaded_at);
