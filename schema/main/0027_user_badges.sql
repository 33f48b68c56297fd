-- QR badges of school users (issue 16, item 3): at most one per person, stored only as the HMAC-SHA256 of its secret
-- under a key derived from the OAuth key file (the app pool's), so a dump of this table cannot even test a guessed
-- secret. Rotation overwrites the digest (the old one stops matching at once); revocation deletes the row.
CREATE TABLE user_badges (
    user_id         BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    secret_digest   BINARY(32) NOT NULL,
    issued_at       DATETIME(6) NOT NULL,
    last_used_at    DATETIME(6) NULL,
    UNIQUE KEY uq_user_badges_digest (secret_digest),
    CONSTRAINT fk_user_badges_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB;
