-- The webhook outbox: one row per event and endpoint subscribed to it,
-- written in the transaction of the change that caused the event. The
-- delivery worker claims a due row by setting `lease_until`, so a crashed
-- worker's claim simply runs out and the row is due again.
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
    -- Unix milliseconds, as is the claim's lease.
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    -- Unix milliseconds.
    attempted_at INTEGER NOT NULL,
    status       INTEGER,
    latency_ms   INTEGER NOT NULL,
    error        TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Each goal's period is announced met or missed once.
CREATE TABLE goal_outcomes (
    goal_id      INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    period_start TEXT    NOT NULL,
    met          INTEGER NOT NULL,
    decided_at   INTEGER NOT NULL,
    PRIMARY KEY (goal_id, period_start)
) WITHOUT ROWID;
