-- Keys clients send with `Idempotency-Key`, so that a retried create returns
-- what the first one created instead of creating it twice. Written in the
-- same transaction as the resource itself.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    -- SHA-256 of the request (method, path and canonical JSON body).
    request_hash BLOB    NOT NULL,
    resource     TEXT    NOT NULL CHECK (resource IN ('session', 'interruption')),
    resource_id  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
