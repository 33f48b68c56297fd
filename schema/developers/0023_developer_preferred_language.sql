-- Developers' saved language (issue 22): the language a signed-in developer chose with the portal's switcher. The
-- portal's pages follow it (else the browser's Accept-Language), and so does every mail to the developer: review
-- decisions, staff replies to tickets, webhook-disabled notices, invitations (else the language of the request that
-- caused the mail, else English). NULL means "never chosen". Values are tags of the catalogues under locales/; the
-- app checks them before saving. Added INSTANT (no copy of the table, no lock).
ALTER TABLE developers
    ADD COLUMN preferred_language VARCHAR(16) CHARACTER SET ascii NULL, ALGORITHM = INSTANT;
