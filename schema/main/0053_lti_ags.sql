-- LTI Assignment and Grade Services 2.0 (issue 19 item 2): a tool's line item in a class is an assessment of the
-- class's gradebook (created, like the OneRoster gradebook's, as a draft or published per the school's setting, main
-- 0050), carrying the tool's client id in assessments.source_client_id (main 0038) so the gradebook names the app.
-- What AGS needs beyond the assessment is kept here: the opaque id in the line item's URL, the placement it is bound
-- to, the tool's own resourceId and tag, and the dates.
CREATE TABLE lti_line_items (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    -- The {id} of the line item URL: random, stable, never the row's number.
    item_id         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    assessment_id   BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    class_id        BIGINT UNSIGNED NOT NULL,
    -- resourceLinkId: the placement it belongs to (NULL when the tool made it for the class, or the placement went).
    link_pk         BIGINT UNSIGNED NULL,
    resource_id     VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    tag             VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    start_at        DATETIME(6) NULL,
    end_at          DATETIME(6) NULL,
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_lti_line_items_item (item_id),
    UNIQUE KEY uq_lti_line_items_assessment (assessment_id),
    KEY ix_lti_line_items_tool_class (client_pk, class_id, id),
    CONSTRAINT fk_lti_line_items_assessment FOREIGN KEY (assessment_id) REFERENCES assessments (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_line_items_tool FOREIGN KEY (client_pk) REFERENCES lti_tools (client_pk) ON DELETE CASCADE,
    CONSTRAINT fk_lti_line_items_class FOREIGN KEY (class_id) REFERENCES classes (id),
    CONSTRAINT fk_lti_line_items_link FOREIGN KEY (link_pk) REFERENCES lti_resource_links (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The last score a tool posted for a student on a line item (AGS 2.0 §3.4): its timestamp, so an older one is
-- refused (409), and its progress values. The grade itself is the gradebook's row in grades, which the teacher may
-- still change; only a FullyGraded score writes it.
CREATE TABLE lti_scores (
    line_item_pk    BIGINT UNSIGNED NOT NULL,
    student_id      BIGINT UNSIGNED NOT NULL,
    score_timestamp DATETIME(6) NOT NULL,
    activity_progress ENUM('Initialized', 'Started', 'InProgress', 'Submitted', 'Completed') NOT NULL,
    grading_progress ENUM('FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady') NOT NULL,
    recorded_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (line_item_pk, student_id),
    CONSTRAINT fk_lti_scores_line_item FOREIGN KEY (line_item_pk) REFERENCES lti_line_items (id) ON DELETE CASCADE,
    CONSTRAINT fk_lti_scores_student FOREIGN KEY (student_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
