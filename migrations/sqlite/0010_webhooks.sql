-- Webhook endpoints. Secrets are sealed under the server's key
-- (XChaCha20-Poly1305, bound to the owner); a rotated secret keeps
-- signing until `previous_expires_at`.
CREATE TABLE webhooks (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                 TEXT    NOT NULL,
    events              TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    enabled             INTEGER NOT NULL DEFAULT 1,
    disabled_reason     TEXT,
    secret              BLOB    NOT NULL,
    previous_secret     BLOB,
    previous_expires_at INTEGER,
    created_at          INTEGER NOT NULL
);
CREATE INDEX webhooks_user ON webhooks (user_id, id);
