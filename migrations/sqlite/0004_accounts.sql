-- Accounts: personal tokens (one per device), passwords, and the failed
-- sign-ins that throttle guessing.

-- Every token a user holds. `hf_<id>_<secret>` names its row; only the
-- SHA-256 of the secret is kept. AUTOINCREMENT so that a revoked token's id
-- is never handed out again.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    secret_hash  BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    -- Recorded at most about once a minute, never on every request.
    last_used_at INTEGER,
    expires_at   INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id, name);

-- Each user's one token so far becomes their `registration` token, with the
-- user's id as its own: tokens issued before read `hf_<user id>_…`, so they
-- keep working unchanged. Later tokens take ids above all of these.
INSERT INTO tokens (id, user_id, name, scope, secret_hash, created_at)
    SELECT id, id, 'registration', 'write', token_hash, created_at FROM users;
ALTER TABLE users DROP COLUMN token_hash;

-- An argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`); NULL until
-- the user sets a password.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- A retried registration answers with the registration token: the key now
-- names that token, and goes with it. Keys of the last day are not carried
-- over (their request hashes were not keyed): a registration retried across
-- the upgrade is answered like a new one.
CREATE TABLE registration_keys_v2 (
    lookup        BLOB    NOT NULL PRIMARY KEY,
    -- A keyed hash of the request: the body may hold a password, so a plain
    -- hash of it would let a copy of the database test guesses.
    request_hash  BLOB    NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_id      INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    sealed_secret BLOB    NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
DROP TABLE registration_keys;
ALTER TABLE registration_keys_v2 RENAME TO registration_keys;
CREATE INDEX registration_keys_user ON registration_keys (user_id);
CREATE INDEX registration_keys_token ON registration_keys (token_id);
CREATE INDEX registration_keys_created ON registration_keys (created_at);

-- Failed sign-ins of the last 15 minutes, by account (the lower-cased email,
-- known or not, so that throttling reveals nothing) and by client address.
-- Kept in the database so that every process counts the same failures.
CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY,
    email_key  TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    failed_at  INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email_key, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
