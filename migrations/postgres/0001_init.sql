-- HyperFocus schema, PostgreSQL flavour. Times are whole seconds since the
-- Unix epoch (UTC), as in the SQLite schema, so both backends compare and
-- clip spans with the same integer arithmetic. Every table carries user_id,
-- the distribution column on a sharded PostgreSQL (see docs/SCALING.md).

CREATE TABLE users (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL,
    email       TEXT   NOT NULL,
    -- Lower-cased email, so that uniqueness is case-insensitive.
    email_key   TEXT   NOT NULL,
    timezone    TEXT   NOT NULL,
    -- SHA-256 of the token's secret; the token itself is never stored.
    token_hash  BYTEA  NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE sessions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_time  BIGINT NOT NULL,
    end_time    BIGINT,
    created_at  BIGINT NOT NULL,
    CHECK (end_time IS NULL OR end_time > start_time)
);
CREATE INDEX sessions_user_start ON sessions (user_id, start_time) INCLUDE (end_time);
-- One active session per user, enforced by the database itself.
CREATE UNIQUE INDEX sessions_one_active ON sessions (user_id) WHERE end_time IS NULL;

CREATE TABLE interruptions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- The session's owner, copied so that ownership is checked on the row
    -- itself. No foreign key: the cascade from users reaches interruptions
    -- through sessions.
    user_id     BIGINT NOT NULL,
    kind        TEXT   NOT NULL
                CHECK (kind IN ('family', 'phone', 'noise', 'self', 'urgent_task', 'unknown')),
    description TEXT   NOT NULL,
    start_time  BIGINT NOT NULL,
    end_time    BIGINT,
    created_at  BIGINT NOT NULL,
    CHECK (end_time IS NULL OR end_time > start_time)
);
CREATE INDEX interruptions_session_start ON interruptions (session_id, start_time) INCLUDE (end_time, kind);
-- At most one interruption still going on per session.
CREATE UNIQUE INDEX interruptions_one_open ON interruptions (session_id) WHERE end_time IS NULL;
