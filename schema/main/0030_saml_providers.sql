-- SAML 2.0 identity providers (issue 15). A SAML provider is an upstream provider like the OpenID ones (0019): same
-- slug, school, button name, linking rule and links, so the sign-in page, the policy and the linking treat both
-- alike; its kind is 'saml' and its `issuer` is the identity provider's entity id (it has no client id or secret).
ALTER TABLE upstream_providers MODIFY kind ENUM('generic', 'google', 'entra', 'saml') NOT NULL;

-- What a SAML provider needs beyond that: where to send people (the IdP's single sign-on URL, HTTP-Redirect
-- binding), the certificates whose keys may sign its answers (PEM-free base64 DER, space-separated; several for
-- key rollover), where its metadata came from (NULL: a file), which signatures are required, the NameID format we
-- ask for, and our own key pair for this provider: the private key sealed (AES-256-GCM under a key derived from the
-- OAuth key file, the slug as associated data, as client secrets are), the certificate public (our metadata
-- publishes it, so the IdP can encrypt assertions to us).
CREATE TABLE saml_providers (
    provider_id     BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    sso_url         VARCHAR(2048) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    idp_certificates MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    metadata_url    VARCHAR(2048) CHARACTER SET ascii COLLATE ascii_bin NULL,
    signing         ENUM('either', 'assertion', 'response', 'both') NOT NULL DEFAULT 'either',
    name_id_format  VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
    sp_key_sealed   VARBINARY(4096) NOT NULL,
    sp_certificate  TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT fk_saml_providers_provider FOREIGN KEY (provider_id) REFERENCES upstream_providers (id) ON DELETE CASCADE
) ENGINE = InnoDB;

-- The one-time assertion cache: an assertion (by the SHA-256 of its issuer's entity id and its ID) is accepted
-- once. Kept until the assertion could no longer be presented anyway; the purge deletes older rows. The ACS
-- inserts first and signs in after, so two racing posts of one assertion cannot both get through.
CREATE TABLE saml_assertion_uses (
    assertion_digest BINARY(32) NOT NULL PRIMARY KEY,
    expires_at      DATETIME(6) NOT NULL,
    KEY ix_saml_assertion_uses_expiry (expires_at)
) ENGINE = InnoDB;
