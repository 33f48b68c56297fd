-- Resets by the people responsible (issue 16, item 1): a temporary password that a school admin or teacher
-- generated is, if the school wants it, replaced by the person at their next password sign-in. The flag goes with
-- the hash it was set with: every other way a password is set (a change, a mailed link, the sign-in step itself)
-- clears it.
ALTER TABLE users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT FALSE AFTER password_changed_at;
