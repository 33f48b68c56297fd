-- Who suspended or reinstated a developer account, when and why (the review panel writes it in the same
-- transaction as the change). Kept with the account; a deleted account takes its log with it.
CREATE TABLE developer_account_transitions (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    developer_id    BIGINT UNSIGNED NOT NULL,
    from_state      ENUM('unverified', 'active', 'suspended') NOT NULL,
    to_state        ENUM('unverified', 'active', 'suspended') NOT NULL,
    actor_kind      ENUM('developer', 'platform_admin') NOT NULL,
    actor_id        BIGINT UNSIGNED NOT NULL,
    actor_name      VARCHAR(200) NOT NULL,
    reason          VARCHAR(1000) NULL,
    occurred_at     DATETIME(6) NOT NULL,
    KEY ix_developer_account_transitions_developer (developer_id, occurred_at),
    CONSTRAINT fk_developer_account_transitions_developer FOREIGN KEY (developer_id) REFERENCES developers (id)
        ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
