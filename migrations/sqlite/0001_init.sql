-- HyperFocus schema, SQLite flavour. Times are whole seconds since the Unix
-- epoch (UTC): exact, compact, and ordered by a plain integer index.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    -- Lower-cased email, so that uniqueness is case-insensitive.
    email_key   TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    -- SHA-256 of the token's secret; the token itself is never stored.
    token_hash  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_time  INTEGER NOT NULL,
    end_time    INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (end_time IS NULL OR end_time > start_time)
);
-- Listing, overlap checks and time-window reads all walk this index; it
-- carries end_time so that reports never read the table.
CREATE INDEX sessions_user_start ON sessions (user_id, start_time, end_time);
-- One active session per user, enforced by the database itself.
CREATE UNIQUE INDEX sessions_one_active ON sessions (user_id) WHERE end_time IS NULL;

CREATE TABLE interruptions (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- The session's owner, copied so that ownership is checked on the row
    -- itself and the table can be distributed by user. No foreign key: the
    -- cascade from users reaches interruptions through sessions, and a
    -- user's interruptions are read through their sessions too
    -- (sessions_user_start, then interruptions_session_start), so an index
    -- on this column would only slow every insert.
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL
                CHECK (kind IN ('family', 'phone', 'noise', 'self', 'urgent_task', 'unknown')),
    description TEXT    NOT NULL,
    start_time  INTEGER NOT NULL,
    end_time    INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (end_time IS NULL OR end_time > start_time)
);
-- Covers what reports read (start, end, kind), so a year-long report walks
-- this index alone and never the table.
CREATE INDEX interruptions_session_start ON interruptions (session_id, start_time, end_time, kind);
-- At most one interruption still going on per session.
CREATE UNIQUE INDEX interruptions_one_open ON interruptions (session_id) WHERE end_time IS NULL;
