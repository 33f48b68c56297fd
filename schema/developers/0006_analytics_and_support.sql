-- Daily analytics of applications (issue 5 §8) and support tickets (issue 5 §9).

-- One row per application and UTC day, written by the main → developers sync with absolute values (not
-- increments), so re-applying a batch changes nothing. A day without a row has no data yet.
CREATE TABLE application_daily_stats (
    application_id  BIGINT UNSIGNED NOT NULL,
    day             DATE NOT NULL,
    api_requests    BIGINT UNSIGNED NOT NULL,
    authorizations  BIGINT UNSIGNED NOT NULL,
    active_users    BIGINT UNSIGNED NOT NULL,
    new_users       BIGINT UNSIGNED NOT NULL,
    errors          BIGINT UNSIGNED NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    PRIMARY KEY (application_id, day),
    CONSTRAINT fk_application_daily_stats_app FOREIGN KEY (application_id) REFERENCES applications (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Support tickets: `open` while waiting for staff, `answered` after a staff reply, `closed` by the developer;
-- a developer's reply opens it again. `updated_at` is the last message or status change (list order).
CREATE TABLE support_tickets (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    developer_id    BIGINT UNSIGNED NOT NULL,
    application_id  BIGINT UNSIGNED NULL,
    subject         VARCHAR(120) NOT NULL,
    category        ENUM('integration', 'review', 'account', 'security', 'other') NOT NULL,
    status          ENUM('open', 'answered', 'closed') NOT NULL DEFAULT 'open',
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    KEY ix_support_tickets_developer (developer_id, updated_at),
    KEY ix_support_tickets_status (status, updated_at),
    CONSTRAINT fk_support_tickets_developer FOREIGN KEY (developer_id) REFERENCES developers (id) ON DELETE CASCADE,
    CONSTRAINT fk_support_tickets_app FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE SET NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The messages of a ticket, by the developer or by platform staff (named as shown at the time).
CREATE TABLE support_ticket_messages (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ticket_id       BIGINT UNSIGNED NOT NULL,
    author_kind     ENUM('developer', 'staff') NOT NULL,
    author_name     VARCHAR(200) NOT NULL,
    body            TEXT NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    KEY ix_support_ticket_messages_ticket (ticket_id, created_at, id),
    CONSTRAINT fk_support_ticket_messages_ticket FOREIGN KEY (ticket_id) REFERENCES support_tickets (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
