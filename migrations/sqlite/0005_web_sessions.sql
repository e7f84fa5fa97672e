-- Browsers signed in to the web app. The cookie carries 256 random bits;
-- only their SHA-256 is kept, so a copy of this table signs nobody in.
CREATE TABLE web_sessions (
    id_hash      BLOB    NOT NULL PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What the browser may do: `read` when signed in with a read-only token.
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    -- The token every form of this browser must send back (CSRF).
    csrf         TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
