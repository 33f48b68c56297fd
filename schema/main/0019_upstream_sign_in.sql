-- Sign-in with the school's own accounts (issue 14): upstream OpenID providers, the links from their accounts to
-- roster people, which roles may still use a password, and the email domains that send a person to their school.

-- One upstream OpenID provider, of one school or (school_id NULL) of the whole installation. `issuer` is the
-- generic provider's issuer, or the authority of the Google and Entra presets (their issuers derive from it and
-- the tenants). The client secret is sealed (AES-256-GCM under a key derived from the OAuth key file, the slug as
-- associated data): the token request needs it back, so it cannot be a digest, and a database dump alone does not
-- give it away.
CREATE TABLE upstream_providers (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug            VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    school_id       BIGINT UNSIGNED NULL,
    name            VARCHAR(80) NOT NULL,
    kind            ENUM('generic', 'google', 'entra') NOT NULL,
    issuer          VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_id       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    client_secret_sealed VARBINARY(1024) NOT NULL,
    -- Google: the hd domains accepted; Entra: the tenant ids accepted (space-separated, lower-case).
    restrict_to     VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    link_rule       ENUM('email', 'sourced_id', 'username') NOT NULL DEFAULT 'email',
    link_claim      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    jit_students    BOOLEAN NOT NULL DEFAULT FALSE,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    UNIQUE KEY uq_upstream_providers_slug (slug),
    KEY ix_upstream_providers_school (school_id),
    CONSTRAINT fk_upstream_providers_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- An upstream account linked to a roster person: (provider, subject) is unique, so one upstream account signs in
-- as one person only. Subject: the provider's `sub`, or `tid:oid` for Entra ID. `label` is what the person sees on
-- their account page (the upstream email, else the subject).
CREATE TABLE upstream_links (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    provider_id     BIGINT UNSIGNED NOT NULL,
    subject         VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_id         BIGINT UNSIGNED NOT NULL,
    label           VARCHAR(255) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NOT NULL,
    UNIQUE KEY uq_upstream_links_subject (provider_id, subject),
    KEY ix_upstream_links_user (user_id),
    CONSTRAINT fk_upstream_links_provider FOREIGN KEY (provider_id) REFERENCES upstream_providers (id) ON DELETE CASCADE,
    CONSTRAINT fk_upstream_links_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A school's sign-in policy: the roles that may still sign in with a password. No row: every role may.
CREATE TABLE school_sign_in_policies (
    school_id       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    password_roles  SET('student', 'teacher', 'parent', 'school_admin') NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_school_sign_in_policies_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- Email domains a school has claimed for home-realm discovery: typing an address of the domain on the sign-in page
-- leads to the school's providers. A domain belongs to one school at most.
CREATE TABLE school_email_domains (
    domain          VARCHAR(253) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL PRIMARY KEY,
    school_id       BIGINT UNSIGNED NOT NULL,
    KEY ix_school_email_domains_school (school_id),
    CONSTRAINT fk_school_email_domains_school FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
) ENGINE = InnoDB;
