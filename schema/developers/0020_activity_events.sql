-- Who did what (issue 20 item 6): every action a member takes on an application, and every change to an
-- organisation's members, appended in the same transaction as the change itself. Append-only: the developers
-- pool may INSERT and SELECT these tables, never UPDATE or DELETE them. `detail` is short and never a secret
-- (a key's name and visible prefix, a webhook's host, an invited address, a role).

CREATE TABLE application_events (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    actor_id        BIGINT UNSIGNED NOT NULL,
    action          VARCHAR(40) NOT NULL COMMENT 'ApplicationActivity raw value',
    detail          VARCHAR(200) NULL,
    occurred_at     DATETIME(6) NOT NULL,
    KEY ix_application_events_app (application_id, occurred_at, id),
    CONSTRAINT fk_application_events_app FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT fk_application_events_actor FOREIGN KEY (actor_id) REFERENCES developers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE organisation_events (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    organisation_id BIGINT UNSIGNED NOT NULL,
    actor_id        BIGINT UNSIGNED NOT NULL,
    action          VARCHAR(40) NOT NULL COMMENT 'OrganisationActivity raw value',
    subject_id      BIGINT UNSIGNED NULL COMMENT 'the member the change was about, when not the actor',
    detail          VARCHAR(200) NULL,
    occurred_at     DATETIME(6) NOT NULL,
    KEY ix_organisation_events_org (organisation_id, occurred_at, id),
    CONSTRAINT fk_organisation_events_org FOREIGN KEY (organisation_id) REFERENCES organisations (id),
    CONSTRAINT fk_organisation_events_actor FOREIGN KEY (actor_id) REFERENCES developers (id),
    CONSTRAINT fk_organisation_events_subject FOREIGN KEY (subject_id) REFERENCES developers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- An admin or the owner may cancel a pending invitation; its link is then refused like an expired one.
ALTER TABLE organisation_invitations ADD COLUMN cancelled_at DATETIME(6) NULL AFTER accepted_by,
    ADD COLUMN cancelled_by BIGINT UNSIGNED NULL AFTER cancelled_at,
    ADD CONSTRAINT fk_organisation_invitations_canceller FOREIGN KEY (cancelled_by) REFERENCES developers (id),
    ADD CONSTRAINT ck_organisation_invitations_cancelled CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL));
