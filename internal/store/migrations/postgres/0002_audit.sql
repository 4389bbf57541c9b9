-- Signed anchors left by an audit purge. After entries 1..seq are deleted, the chain
-- resumes at seq+1, whose prev_hash must equal hash here; the signature (same key as
-- the checkpoints) shows the purge was done by the platform, not by someone trimming
-- the head of the chain. purged_before is the retention cut-off the purge applied.
CREATE TABLE audit_anchors (
    seq           BIGINT PRIMARY KEY,
    hash          BYTEA NOT NULL,
    purged_before TIMESTAMPTZ NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    key_id        TEXT NOT NULL,
    signature     BYTEA NOT NULL
);
