-- Upstream sign-in tickets already used (issue 14): the ticket lives in a sealed cookie, so without a record here a
-- copy of the cookie could carry the same callback a second time. One row per used ticket, by the SHA-256 of its
-- `state`, kept until the ticket would have expired anyway; the purge deletes older rows.
CREATE TABLE upstream_ticket_uses (
    state_digest    BINARY(32) NOT NULL PRIMARY KEY,
    expires_at      DATETIME(6) NOT NULL,
    KEY ix_upstream_ticket_uses_expiry (expires_at)
) ENGINE = InnoDB;
