-- Issue 23 items 4 and 5.
--
-- App data declarations as the approved version of each app declared them, written by sync in the
-- transaction that applies the app (only an attested, reviewed version reaches here), read by the consent page
-- and the school's app page. One row per declared scope, in declared order; the sub-processors as a JSON
-- array of {"name", "country"}.
CREATE TABLE oauth_client_data_declarations (
    client_pk       BIGINT UNSIGNED NOT NULL,
    position        SMALLINT UNSIGNED NOT NULL,
    scope           VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    purpose         TEXT NOT NULL,
    retention       ENUM('session', '30_days', '1_year', 'agreement', 'custom') NOT NULL,
    retention_days  SMALLINT UNSIGNED NULL,
    sub_processors  TEXT NOT NULL,
    PRIMARY KEY (client_pk, position),
    UNIQUE KEY uq_client_data_declarations_scope (client_pk, scope),
    CONSTRAINT fk_client_data_declarations_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE,
    CONSTRAINT ck_client_data_declarations_days CHECK ((retention = 'custom') = (retention_days IS NOT NULL)),
    CONSTRAINT ck_client_data_declarations_processors CHECK (JSON_VALID(sub_processors))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A school's choices about agreements (AgreementSettings). No row: agreements are recorded but not required,
-- and expiry only warns.
CREATE TABLE school_agreement_settings (
    school_id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    require_agreement   BOOLEAN NOT NULL,
    block_on_expiry     BOOLEAN NOT NULL,
    updated_by          BIGINT UNSIGNED NOT NULL,
    updated_at          DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_agreement_settings_school FOREIGN KEY (school_id) REFERENCES schools (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A school's data-privacy agreement with an app (AppAgreement): one per school and app, replaced on renewal.
-- The signed PDF (checked by content, at most 5 MiB: AgreementDocument) is kept here, served only to the
-- school's admins. `warned_for` / `blocked_for`: the expiry day the daily run last warned of / blocked for, so
-- each expiry is acted on once.
CREATE TABLE school_app_agreements (
    school_id       BIGINT UNSIGNED NOT NULL,
    client_pk       BIGINT UNSIGNED NOT NULL,
    kind            VARCHAR(200) NOT NULL,
    signed_on       DATE NOT NULL,
    expires_on      DATE NULL,
    document        MEDIUMBLOB NULL,
    document_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    document_size   INT UNSIGNED NULL,
    warned_for      DATE NULL,
    blocked_for     DATE NULL,
    recorded_by     BIGINT UNSIGNED NOT NULL,
    recorded_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (school_id, client_pk),
    KEY ix_school_app_agreements_expiry (expires_on),
    CONSTRAINT fk_school_app_agreements_school FOREIGN KEY (school_id) REFERENCES schools (id),
    CONSTRAINT fk_school_app_agreements_client FOREIGN KEY (client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE,
    CONSTRAINT ck_school_app_agreements_expiry CHECK (expires_on IS NULL OR expires_on > signed_on),
    CONSTRAINT ck_school_app_agreements_document CHECK (
        (document IS NULL) = (document_sha256 IS NULL) AND (document IS NULL) = (document_size IS NULL)
        AND (document IS NULL OR LENGTH(document) BETWEEN 1 AND 5242880))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
