-- A number per session (issue 16, item 7), so a person's sessions page can end one of them: the page never holds
-- the cookie's digest, the key of the row.
ALTER TABLE sessions ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE FIRST;
