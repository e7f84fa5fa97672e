-- Calendar feeds: one read-only address per user that calendar apps poll
-- for the finished sessions. The address carries 256 random bits; only
-- their SHA-256 is kept, so a copy of this table opens no feed.
CREATE TABLE calendar_feeds (
    user_id     INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash  BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds (token_hash);
