-- The access log per person and retention (issue 23, items 1 and 6). The per-user rows of daily usage
-- (usage_daily_users) are personal data (which user used which app on which day). `catalystwells purge` keeps
-- each old day's active-user count here and deletes the rows; the figure pushed to the developers database is
-- this count plus any rows still present.
ALTER TABLE usage_daily ADD COLUMN active_users_kept BIGINT UNSIGNED NOT NULL DEFAULT 0;
-- The access log has one entry per person a call concerned (item 1); usage counts calls by their first entry.
ALTER TABLE data_access_log ADD COLUMN first_of_call BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX ix_usage_daily_users_day ON usage_daily_users (day);
CREATE INDEX ix_api_event_outbox_delivered ON api_event_outbox (delivered_at);
CREATE INDEX ix_roster_imports_created ON roster_imports (created_at);
