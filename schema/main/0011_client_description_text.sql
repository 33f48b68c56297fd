-- An app's description comes from the developer portal, which allows 2000 characters counted as Unicode
-- scalars; as TEXT the column can never refuse a synced description (a refusal would stop that app's sync).
ALTER TABLE oauth_clients MODIFY description TEXT NOT NULL;
