-- Outgoing mail waiting to be handed to the sendmail program (FCGIApp's QueuedMailer). A mail is written here
-- first, then delivered right after the response by the worker that queued it, or by the cron job
-- (`catalystwells mail deliver`, POST /internal/cron/mail) with retries and backoff; a delivered mail is
-- deleted at once. Rows are short-lived by design: a mail not delivered by `expires_at` (a password link's own
-- expiry, otherwise mail.give_up_hours) is dropped.
-- The body holds bearer secrets (password and verification links), so it is stored sealed: AES-256-GCM under a
-- key derived from credentials.key_file, with the recipient and subject as associated data. A dump of this
-- table alone yields no working link.
CREATE TABLE mail_outbox (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    recipient        VARCHAR(320) NOT NULL,
    subject          VARCHAR(500) NOT NULL,
    body_sealed      MEDIUMBLOB NOT NULL,
    created_at       DATETIME(6) NOT NULL,
    -- Due time; a claimed mail is pushed out by the claim's lease, so a deliverer that dies mid-send leaves it
    -- to be retried later rather than lost.
    next_attempt_at  DATETIME(6) NOT NULL,
    attempts         INT UNSIGNED NOT NULL DEFAULT 0,
    last_error       VARCHAR(300) NULL,
    expires_at       DATETIME(6) NOT NULL,
    KEY ix_mail_outbox_due (next_attempt_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
