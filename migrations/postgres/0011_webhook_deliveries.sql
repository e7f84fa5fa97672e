-- The webhook outbox: one row per event and endpoint subscribed to it,
-- written in the transaction of the change that caused the event. The
-- delivery workers of all processes claim a due row by setting
-- `lease_until`, so a killed process's claim simply runs out.
ALTER TABLE webhooks ADD COLUMN last_success_at BIGINT;

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT  NOT NULL DEFAULT 0,
    -- Unix milliseconds, as is the claim's lease.
    next_attempt_at BIGINT  NOT NULL,
    lease_until     BIGINT,
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
    goal_id      BIGINT  NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    period_start TEXT    NOT NULL,
    met          BOOLEAN NOT NULL,
    decided_at   BIGINT  NOT NULL,
    PRIMARY KEY (goal_id, period_start)
);
