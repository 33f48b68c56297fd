-- A school directory's CA is kept as the certificates themselves (PEM), not as a path on the server: a school admin
-- has no shell on a district's VM, and a path a school admin could set named any file the pools may read. The
-- pools write the certificates to a private file of their own for libldap (Native `LDAPTrustFile`). A directory
-- saved with a path loses it here and verifies against the system's trust store until its admin pastes the CA
-- (the table is one row per school: the ALTER is instant to copy).
ALTER TABLE school_directories
    ADD COLUMN ca_certificates TEXT NOT NULL DEFAULT '' AFTER allow_plain,
    DROP COLUMN ca_file;
