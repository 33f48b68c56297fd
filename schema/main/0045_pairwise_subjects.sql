-- Pairwise subject identifiers (OIDC Core §8, issue 20 item 5). `subject_type` says how a client sees people's
-- `sub`: 'public' (the person's id, as every client saw it before this migration) or 'pairwise' (an HMAC of the
-- client and the person, SubjectIdentifiers). Existing clients stay public, since apps key their accounts on `sub`;
-- sync stores every third-party app it registers from now on as pairwise, and nothing changes the column after.
-- A small table, but the column is added INSTANT all the same (no copy, no lock).
ALTER TABLE oauth_clients
    ADD COLUMN subject_type ENUM('public', 'pairwise') CHARACTER SET ascii NOT NULL DEFAULT 'public', ALGORITHM = INSTANT;
