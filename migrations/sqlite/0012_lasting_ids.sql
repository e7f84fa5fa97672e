-- hyperfocus: rebuilds tables
--
-- Ids are never handed out twice. Without AUTOINCREMENT, SQLite gives a new
-- row the largest id in use plus one, so deleting the newest session and
-- starting another gave the new one the deleted one's id: a calendar event
-- and an `undo` naming the old session then named the new one. Every table
-- whose ids people or clients see is rebuilt with AUTOINCREMENT (tokens
-- already were), keeping every row, id, foreign key, check, default and
-- index. The migration runner turns foreign keys off around this file, as
-- SQLite's rebuild procedure asks, and checks them all before committing.

CREATE TABLE users_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    -- Lower-cased email, so that uniqueness is case-insensitive.
    email_key     TEXT    NOT NULL,
    timezone      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    password_hash TEXT,
    week_start    TEXT    NOT NULL DEFAULT 'monday',
    day_start     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_v2 (id, name, email, email_key, timezone, created_at, password_hash, week_start, day_start)
    SELECT id, name, email, email_key, timezone, created_at, password_hash, week_start, day_start FROM users;
DROP TABLE users;
ALTER TABLE users_v2 RENAME TO users;
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE sessions_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_time  INTEGER NOT NULL,
    end_time    INTEGER,
    created_at  INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    CHECK (end_time IS NULL OR end_time > start_time)
);
INSERT INTO sessions_v2 (id, user_id, start_time, end_time, created_at, note)
    SELECT id, user_id, start_time, end_time, created_at, note FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
-- Listing, overlap checks and time-window reads all walk this index; it
-- carries end_time so that reports never read the table.
CREATE INDEX sessions_user_start ON sessions (user_id, start_time, end_time);
-- One active session per user, enforced by the database itself.
CREATE UNIQUE INDEX sessions_one_active ON sessions (user_id) WHERE end_time IS NULL;

CREATE TABLE interruptions_v2 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    -- The session's owner, copied so that ownership is checked on the row
    -- itself (see 0001_init.sql for why it has no foreign key or index).
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL
                CHECK (kind IN ('family', 'phone', 'noise', 'self', 'urgent_task', 'unknown')),
    description TEXT    NOT NULL,
    start_time  INTEGER NOT NULL,
    end_time    INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (end_time IS NULL OR end_time > start_time)
);
INSERT INTO interruptions_v2 (id, session_id, user_id, kind, description, start_time, end_time, created_at)
    SELECT id, session_id, user_id, kind, description, start_time, end_time, created_at FROM interruptions;
DROP TABLE interruptions;
ALTER TABLE interruptions_v2 RENAME TO interruptions;
-- Covers what reports read (start, end, kind).
CREATE INDEX interruptions_session_start ON interruptions (session_id, start_time, end_time, kind);
-- At most one interruption still going on per session.
CREATE UNIQUE INDEX interruptions_one_open ON interruptions (session_id) WHERE end_time IS NULL;

CREATE TABLE goals_v2 (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    metric           TEXT    NOT NULL,
    comparison       TEXT    NOT NULL,
    target           INTEGER NOT NULL,
    period           TEXT    NOT NULL,
    rest_days        INTEGER NOT NULL DEFAULT 0,
    count_empty_days INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
INSERT INTO goals_v2 (id, user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at)
    SELECT id, user_id, metric, comparison, target, period, rest_days, count_empty_days, created_at FROM goals;
DROP TABLE goals;
ALTER TABLE goals_v2 RENAME TO goals;
CREATE INDEX goals_user ON goals (user_id, id);

CREATE TABLE webhooks_v2 (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                 TEXT    NOT NULL,
    events              TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    enabled             INTEGER NOT NULL DEFAULT 1,
    disabled_reason     TEXT,
    secret              BLOB    NOT NULL,
    previous_secret     BLOB,
    previous_expires_at INTEGER,
    created_at          INTEGER NOT NULL,
    last_success_at     INTEGER
);
INSERT INTO webhooks_v2 (id, user_id, url, events, description, enabled, disabled_reason, secret,
                         previous_secret, previous_expires_at, created_at, last_success_at)
    SELECT id, user_id, url, events, description, enabled, disabled_reason, secret,
           previous_secret, previous_expires_at, created_at, last_success_at FROM webhooks;
DROP TABLE webhooks;
ALTER TABLE webhooks_v2 RENAME TO webhooks;
CREATE INDEX webhooks_user ON webhooks (user_id, id);

CREATE TABLE webhook_deliveries_v2 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds.
    next_attempt_at INTEGER NOT NULL,
    -- One JSON object a line per attempt: {"at", "status", "latency_ms", "error"}.
    attempt_log     TEXT    NOT NULL DEFAULT ''
);
INSERT INTO webhook_deliveries_v2 (id, webhook_id, event_id, event_type, body, created_at, state,
                                   attempts, next_attempt_at, attempt_log)
    SELECT id, webhook_id, event_id, event_type, body, created_at, state,
           attempts, next_attempt_at, attempt_log FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_v2 RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
-- An endpoint's listing, oldest rows first by id (see 0011).
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Each sequence starts past every id handed out that the file still
-- knows of: the rows kept, and the ids that idempotency keys and the
-- webhook outbox name although their row was deleted. (Ids of rows deleted
-- before this upgrade and named nowhere cannot be known.)
DELETE FROM sqlite_sequence
    WHERE name IN ('users', 'sessions', 'interruptions', 'goals', 'webhooks', 'webhook_deliveries');
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'users', COALESCE((SELECT max(id) FROM users), 0);
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'sessions', max(
        COALESCE((SELECT max(id) FROM sessions), 0),
        COALESCE((SELECT max(resource_id) FROM idempotency_keys WHERE resource = 'session'), 0),
        COALESCE((SELECT max(CAST(json_extract(body, '$.data.id') AS INTEGER))
                  FROM webhook_deliveries WHERE event_type LIKE 'session.%'), 0),
        COALESCE((SELECT max(CAST(json_extract(body, '$.data.session_id') AS INTEGER))
                  FROM webhook_deliveries WHERE event_type LIKE 'interruption.%'), 0));
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'interruptions', max(
        COALESCE((SELECT max(id) FROM interruptions), 0),
        COALESCE((SELECT max(resource_id) FROM idempotency_keys WHERE resource = 'interruption'), 0),
        COALESCE((SELECT max(CAST(json_extract(body, '$.data.id') AS INTEGER))
                  FROM webhook_deliveries WHERE event_type LIKE 'interruption.%'), 0));
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'goals', max(
        COALESCE((SELECT max(id) FROM goals), 0),
        COALESCE((SELECT max(goal_id) FROM goal_outcomes), 0),
        COALESCE((SELECT max(CAST(json_extract(body, '$.data.goal.id') AS INTEGER))
                  FROM webhook_deliveries WHERE event_type LIKE 'goal.%'), 0));
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'webhooks', COALESCE((SELECT max(id) FROM webhooks), 0);
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'webhook_deliveries', COALESCE((SELECT max(id) FROM webhook_deliveries), 0);

-- This server's own name, made once when the database is made (or
-- upgraded): the calendar feed's event UIDs carry it, so that two
-- HyperFocus servers never give two events one UID.
CREATE TABLE instance (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    uid         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
INSERT INTO instance (id, uid, created_at)
    VALUES (1, lower(hex(randomblob(16))), CAST(strftime('%s', 'now') AS INTEGER));
