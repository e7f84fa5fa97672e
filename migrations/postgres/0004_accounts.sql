-- Accounts: personal tokens (one per device), passwords, and the failed
-- sign-ins that throttle guessing. See the SQLite migration for the reasons.

CREATE TABLE tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    scope        TEXT   NOT NULL CHECK (scope IN ('read', 'write')),
    secret_hash  BYTEA  NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id, name);

-- Each user's one token so far becomes their `registration` token, with the
-- user's id as its own, so that tokens issued before keep working.
INSERT INTO tokens (id, user_id, name, scope, secret_hash, created_at) OVERRIDING SYSTEM VALUE
    SELECT id, id, 'registration', 'write', token_hash, created_at FROM users;
SELECT setval(pg_get_serial_sequence('tokens', 'id'), COALESCE(max(id), 0) + 1, false) FROM tokens;
ALTER TABLE users DROP COLUMN token_hash;

ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Keys of the last day are not carried over (their request hashes were not
-- keyed): a registration retried across the upgrade is answered as new.
DELETE FROM registration_keys;
ALTER TABLE registration_keys ADD COLUMN token_id BIGINT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE;
CREATE INDEX registration_keys_token ON registration_keys (token_id);
COMMENT ON COLUMN registration_keys.request_hash IS
    'A keyed hash of the request: the body may hold a password';

CREATE TABLE login_failures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_key  TEXT   NOT NULL,
    address    TEXT   NOT NULL,
    failed_at  BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email_key, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
