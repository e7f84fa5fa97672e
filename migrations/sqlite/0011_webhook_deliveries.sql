-- The webhook outbox: one row per event and endpoint subscribed to it,
-- written in the transaction of the change that caused the event. A SQLite
-- file is served by one process, which keeps its claims on rows in memory:
-- when it starts, no row is claimed.
ALTER TABLE webhooks ADD COLUMN last_success_at INTEGER;

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
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
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
-- An endpoint's listing. Ids grow with time, so the oldest rows, which the
-- purge deletes, come first by id; event ids are random and unique by
-- construction, so they take no index (a random one would dirty a page of
-- its own on every write).
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Each goal's period is announced met or missed once.
CREATE TABLE goal_outcomes (
    goal_id      INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    period_start TEXT    NOT NULL,
    met          INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL,
    PRIMARY KEY (goal_id, period_start)
) WITHOUT ROWID;
