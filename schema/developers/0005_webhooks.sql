-- Webhooks of approved applications (issue 5 §7, DESIGN.md §8): endpoints, the deliveries queued for them
-- and every attempt to post one. This issue stores and shows; the sync issue's worker sends.

-- Endpoints. The signing secret is sealed with AES-256-GCM by the application, since signing needs it back;
-- `events` is the space-separated list of subscribed event types (none contains a space). The platform
-- disables an endpoint after persistent failure, with `disabled_reason`.
CREATE TABLE webhook_endpoints (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id  BIGINT UNSIGNED NOT NULL,
    url             VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    events          VARCHAR(1000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    secret_sealed   VARBINARY(255) NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason VARCHAR(255) NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    KEY ix_webhook_endpoints_app (application_id),
    CONSTRAINT fk_webhook_endpoints_app FOREIGN KEY (application_id) REFERENCES applications (id) ON DELETE CASCADE,
    CONSTRAINT ck_webhook_endpoints_https CHECK (url LIKE 'https://%')
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Deliveries: one message to one endpoint, `pending` until a 2xx (`succeeded`) or the retries are spent
-- (`failed`). `event_id` is the Standard Webhooks `webhook-id`; a manual redelivery is a new row with the same
-- event id, type and payload (`redelivery_of` names the original; no foreign key, so deleting an endpoint's
-- deliveries needs no ordering). `attempts`, `last_response_status` and `latency_ms` summarise the newest
-- attempt for the log page.
CREATE TABLE webhook_deliveries (
    id                   BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    endpoint_id          BIGINT UNSIGNED NOT NULL,
    event_id             VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    event_type           VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    payload              MEDIUMTEXT NOT NULL,
    status               ENUM('pending', 'succeeded', 'failed') NOT NULL DEFAULT 'pending',
    attempts             SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    last_response_status SMALLINT UNSIGNED NULL,
    latency_ms           INT UNSIGNED NULL,
    next_attempt_at      DATETIME(6) NULL,
    redelivery_of        BIGINT UNSIGNED NULL,
    created_at           DATETIME(6) NOT NULL,
    updated_at           DATETIME(6) NOT NULL,
    KEY ix_webhook_deliveries_endpoint (endpoint_id, id),
    KEY ix_webhook_deliveries_due (status, next_attempt_at),
    CONSTRAINT fk_webhook_deliveries_endpoint FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id)
        ON DELETE CASCADE,
    CONSTRAINT ck_webhook_deliveries_payload CHECK (JSON_VALID(payload)),
    CONSTRAINT ck_webhook_deliveries_due CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every attempt to post a delivery: the response status (NULL when none came) or why not, and the latency.
CREATE TABLE webhook_delivery_attempts (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    delivery_id     BIGINT UNSIGNED NOT NULL,
    attempted_at    DATETIME(6) NOT NULL,
    response_status SMALLINT UNSIGNED NULL,
    latency_ms      INT UNSIGNED NOT NULL,
    error           VARCHAR(255) NULL,
    KEY ix_webhook_delivery_attempts_delivery (delivery_id, attempted_at),
    CONSTRAINT fk_webhook_delivery_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
