-- Languages (issue 22): the language a person chose with the switcher, and a school's default for its people who
-- chose none. NULL means "not chosen": the page then follows the next signal (school default, the browser's
-- Accept-Language, English). Values are language tags of the catalogues under locales/ (en, es, fr, ar); the app
-- checks them before saving. Both columns are added INSTANT (no copy of users, no lock).
ALTER TABLE users
    ADD COLUMN preferred_language VARCHAR(16) CHARACTER SET ascii NULL, ALGORITHM = INSTANT;
ALTER TABLE schools
    ADD COLUMN default_language VARCHAR(16) CHARACTER SET ascii NULL, ALGORITHM = INSTANT;
