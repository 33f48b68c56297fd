-- The security audit log (issue 16, item 6): sign-ins and refusals, password and second-factor changes, linked
-- accounts, sign-in policy and provider changes, app decisions, review decisions, roster imports. Append-only for
-- the pools: no trigger lets an entry change, and one may be deleted (by the retention purge) only once it is
-- older than 30 days, the shortest retention allowed, so a taken-over pool cannot erase recent traces. The
-- pools' account has no TRIGGER privilege, so it cannot drop these triggers. No foreign keys: an entry outlives the
-- person or school it names.
CREATE TABLE security_audit_log (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    occurred_at     DATETIME(6) NOT NULL,
    event           VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    school_id       BIGINT UNSIGNED NULL COMMENT 'whose school admins may read it; NULL: platform admins only',
    actor_id        BIGINT UNSIGNED NULL COMMENT 'who acted; NULL: nobody signed in, or the system',
    subject_id      BIGINT UNSIGNED NULL COMMENT 'whom it concerns',
    method          VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    client_address  VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    user_agent      VARCHAR(255) NOT NULL DEFAULT '',
    detail          VARCHAR(1000) NOT NULL DEFAULT '',
    KEY ix_security_audit_school (school_id, occurred_at),
    KEY ix_security_audit_time (occurred_at),
    KEY ix_security_audit_subject (subject_id, occurred_at),
    KEY ix_security_audit_actor (actor_id, occurred_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TRIGGER security_audit_log_append_only BEFORE UPDATE ON security_audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'security_audit_log is append-only';

CREATE TRIGGER security_audit_log_retention BEFORE DELETE ON security_audit_log FOR EACH ROW
BEGIN
    IF OLD.occurred_at > UTC_TIMESTAMP(6) - INTERVAL 30 DAY THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'security_audit_log entries younger than 30 days cannot be deleted';
    END IF;
END;
