-- Browsers signed in to the web app. The cookie carries 256 random bits;
-- only their SHA-256 is kept, so a copy of this table signs nobody in.
CREATE TABLE web_sessions (
    id_hash      BYTEA  NOT NULL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope        TEXT   NOT NULL CHECK (scope IN ('read', 'write')),
    csrf         TEXT   NOT NULL,
    user_agent   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
