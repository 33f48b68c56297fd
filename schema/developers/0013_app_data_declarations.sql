-- App data declarations (issue 23 item 4): for each requested scope, why the app uses the data, how long it
-- keeps it and which sub-processors receive it (DataDeclaration). They are part of the reviewed content, so
-- like redirect URIs and scopes they live in the application's row, once for the live (or draft) version and
-- once for the pending change, read and replaced whole with the rest of the state under the same version
-- check. JSON array, in requested-scope order, written by MariaStore (Row+Applications):
--   [{"scope": "...", "purpose": "...", "retention": "session|30_days|1_year|agreement|custom",
--     "retention_days": n|null, "sub_processors": [{"name": "...", "country": "..."}]}]
-- Existing apps start with none: an approved one keeps running (its review attestation does not cover
-- declarations it never had), and its next change needs them before it can be approved.
ALTER TABLE applications
    ADD COLUMN data_declarations MEDIUMTEXT NOT NULL DEFAULT '[]' AFTER client_type,
    ADD COLUMN change_data_declarations MEDIUMTEXT NULL AFTER change_client_type,
    ADD CONSTRAINT ck_applications_data_declarations CHECK (JSON_VALID(data_declarations)),
    ADD CONSTRAINT ck_applications_change_data_declarations
        CHECK (change_data_declarations IS NULL OR JSON_VALID(change_data_declarations));
