-- The webhook outbox: one row per event and endpoint subscribed to it,
-- written in the transaction of the change that caused the event. The
-- delivery worker claims a due row by setting `lease_until`, so a crashed
-- worker's claim simply runs out and the row is due again.
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
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  BIGINT  NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    -- Unix milliseconds.
    attempted_at BIGINT  NOT NULL,
    status       BIGINT,
    latency_ms   BIGINT  NOT NULL,
    error        TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- Each goal's period is announced met or missed once.
CREATE TABLE goal_outcomes (
    goal_id      BIGINT  NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    period_start TEXT    NOT NULL,
    met          BOOLEAN NOT NULL,
    decided_at   BIGINT  NOT NULL,
    PRIMARY KEY (goal_id, period_start)
);
