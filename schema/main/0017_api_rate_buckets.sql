-- Each app's education-API token bucket, shared by every worker of every host (issue 13: per-worker buckets let
-- an app reach workers x hosts x its limit, and a recycled worker started with a full bucket). Workers lease a
-- few tokens at a time (a tenth of the burst), so a busy app writes its row once per that many calls. No foreign
-- key: a row of a deleted client is harmless and is simply never read again.
CREATE TABLE api_rate_buckets (
    client_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    tokens      DOUBLE NOT NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE = InnoDB;
