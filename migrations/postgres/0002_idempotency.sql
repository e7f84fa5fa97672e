-- Keys clients send with `Idempotency-Key`, so that a retried create returns
-- what the first one created instead of creating it twice. Written in the
-- same transaction as the resource itself.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT   NOT NULL,
    -- SHA-256 of the request (method, path and canonical JSON body).
    request_hash BYTEA  NOT NULL,
    resource     TEXT   NOT NULL CHECK (resource IN ('session', 'interruption')),
    resource_id  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
