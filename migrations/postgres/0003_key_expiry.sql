-- Idempotency keys that expire, and keys for registrations.
--
-- Keys sent with `POST /users/`. Registration has no user to scope a key
-- by, so these keys are global. Each is kept only as a hash, beside the
-- new token's secret sealed under a key derived from the Idempotency-Key,
-- so that a retry is answered with the first token while this table alone
-- cannot give one up. A row lives 24 hours (like every key), and goes with
-- its user or when the user's token is rotated.
CREATE TABLE registration_keys (
    -- SHA-256 of a label and the key; the key itself is never stored.
    lookup        BYTEA  NOT NULL PRIMARY KEY,
    -- SHA-256 of the request (method, path and canonical JSON body).
    request_hash  BYTEA  NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- XChaCha20-Poly1305: nonce, then the secret and its tag.
    sealed_secret BYTEA  NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX registration_keys_user ON registration_keys (user_id);
CREATE INDEX registration_keys_created ON registration_keys (created_at);

-- Keys expire after 24 hours: reads ignore expired keys, a reused one is
-- overwritten, and each process deletes them hourly, oldest first.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
