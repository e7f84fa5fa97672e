-- Webhook endpoints. Secrets are sealed under the server's key
-- (XChaCha20-Poly1305, bound to the owner); a rotated secret keeps
-- signing until `previous_expires_at`.
CREATE TABLE webhooks (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                 TEXT    NOT NULL,
    events              TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    enabled             BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason     TEXT,
    secret              BYTEA   NOT NULL,
    previous_secret     BYTEA,
    previous_expires_at BIGINT,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX webhooks_user ON webhooks (user_id, id);
