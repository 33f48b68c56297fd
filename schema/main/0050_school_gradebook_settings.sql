-- Each school's choice of how grades that apps write through the OneRoster gradebook service (PUT lineItems and
-- results, issue 19) reach its teachers' gradebooks: as drafts the teacher publishes (no row, the default) or
-- published at once. Applies to line items an app creates from then on; an existing assessment keeps its state.
CREATE TABLE school_gradebook_settings (
    school_id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    publish_app_results BOOLEAN NOT NULL,
    updated_by          BIGINT UNSIGNED NOT NULL,
    updated_at          DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_gradebook_settings_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
