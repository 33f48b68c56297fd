-- Export archives of any size (issue 23): a sealed archive is kept as chunks of at most 1 MiB, each sealed on its
-- own (AES-256-GCM under the export sealing key, the job id, the chunk's number and whether it is the last bound as
-- associated data, so chunks cannot be moved, reordered, dropped or cut off unnoticed), so no statement or row comes
-- near max_allowed_packet. A job is marked ready only once all its chunks are written; its chunks go with the
-- download, the link's expiry, a failure, an erasure, or the job row (ON DELETE CASCADE).
-- Archives stored before this migration stay in export_jobs.archive_sealed (one piece, the job id as associated
-- data) and are still read from there until they are downloaded or expire; new archives never use that column.
CREATE TABLE export_archive_chunks (
    export_id BIGINT UNSIGNED NOT NULL,
    seq       INT UNSIGNED NOT NULL,
    bytes     MEDIUMBLOB NOT NULL,
    PRIMARY KEY (export_id, seq),
    CONSTRAINT fk_export_archive_chunks_job FOREIGN KEY (export_id) REFERENCES export_jobs (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
