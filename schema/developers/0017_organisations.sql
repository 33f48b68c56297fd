-- Developer teams (issue 20 item 6): an organisation owns applications; its members act on them with a role
-- (``OrganisationRole``: owner, admin, developer, viewer). Every portal query checks the acting developer's
-- membership in the same statement, so a removed member's next request is refused (no cached rights).
--
-- Every existing developer gets one personal organisation (`personal_of`), of which they are the owner, and
-- their applications move into it. `applications.developer_id` stays as "created by". A developer's first app
-- creates their personal organisation the same way; handing its ownership to someone else ends it being
-- personal (`personal_of` cleared), so the old owner's next app starts a new one instead of re-joining it.

CREATE TABLE organisations (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name            VARCHAR(200) NOT NULL,
    personal_of     BIGINT UNSIGNED NULL COMMENT 'the developer whose personal organisation this is, while they own it',
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_organisations_personal (personal_of),
    CONSTRAINT fk_organisations_personal FOREIGN KEY (personal_of) REFERENCES developers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Exactly one owner per organisation: the store changes roles under the organisation's row lock.
CREATE TABLE organisation_members (
    organisation_id BIGINT UNSIGNED NOT NULL,
    developer_id    BIGINT UNSIGNED NOT NULL,
    role            ENUM('viewer', 'developer', 'admin', 'owner') NOT NULL,
    joined_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (organisation_id, developer_id),
    KEY ix_organisation_members_developer (developer_id),
    CONSTRAINT fk_organisation_members_org FOREIGN KEY (organisation_id) REFERENCES organisations (id),
    CONSTRAINT fk_organisation_members_developer FOREIGN KEY (developer_id) REFERENCES developers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Invitations by mail: only the SHA-256 digest of the shown-once `cw_inv_` token is stored. Single use
-- (`accepted_at`), bounded by `expires_at`; an owner role is never offered (ownership is transferred).
CREATE TABLE organisation_invitations (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    organisation_id BIGINT UNSIGNED NOT NULL,
    email           VARCHAR(254) NOT NULL,
    role            ENUM('viewer', 'developer', 'admin') NOT NULL,
    token_digest    BINARY(32) NOT NULL,
    invited_by      BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    expires_at      DATETIME(6) NOT NULL,
    accepted_at     DATETIME(6) NULL,
    accepted_by     BIGINT UNSIGNED NULL,
    UNIQUE KEY uq_organisation_invitations_digest (token_digest),
    KEY ix_organisation_invitations_org (organisation_id, accepted_at, expires_at),
    CONSTRAINT fk_organisation_invitations_org FOREIGN KEY (organisation_id) REFERENCES organisations (id),
    CONSTRAINT fk_organisation_invitations_inviter FOREIGN KEY (invited_by) REFERENCES developers (id),
    CONSTRAINT fk_organisation_invitations_accepter FOREIGN KEY (accepted_by) REFERENCES developers (id),
    CONSTRAINT ck_organisation_invitations_accepted CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO organisations (name, personal_of, created_at) SELECT name, id, created_at FROM developers;
INSERT INTO organisation_members (organisation_id, developer_id, role, joined_at)
    SELECT id, personal_of, 'owner', created_at FROM organisations;

ALTER TABLE applications ADD COLUMN organisation_id BIGINT UNSIGNED NULL AFTER developer_id;
UPDATE applications a JOIN organisations o ON o.personal_of = a.developer_id SET a.organisation_id = o.id;
ALTER TABLE applications MODIFY organisation_id BIGINT UNSIGNED NOT NULL,
    ADD KEY ix_applications_organisation (organisation_id, updated_at),
    ADD CONSTRAINT fk_applications_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id);

-- Who created each secret and key (shown on the credentials pages); earlier rows were their app's creator's.
ALTER TABLE application_client_secrets ADD COLUMN created_by BIGINT UNSIGNED NULL AFTER created_at,
    ADD CONSTRAINT fk_application_client_secrets_creator FOREIGN KEY (created_by) REFERENCES developers (id);
UPDATE application_client_secrets s JOIN applications a ON a.id = s.application_id SET s.created_by = a.developer_id;
ALTER TABLE api_keys ADD COLUMN created_by BIGINT UNSIGNED NULL AFTER created_at,
    ADD CONSTRAINT fk_api_keys_creator FOREIGN KEY (created_by) REFERENCES developers (id);
UPDATE api_keys k JOIN applications a ON a.id = k.application_id SET k.created_by = a.developer_id;
