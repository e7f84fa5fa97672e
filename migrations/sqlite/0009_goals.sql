-- What a person wants of their focus each day or week. `rest_days` is a
-- bit set of weekdays (bit 0 = Monday) that a day goal rests on.
CREATE TABLE goals (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    metric           TEXT    NOT NULL,
    comparison       TEXT    NOT NULL,
    target           INTEGER NOT NULL,
    period           TEXT    NOT NULL,
    rest_days        INTEGER NOT NULL DEFAULT 0,
    count_empty_days INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
CREATE INDEX goals_user ON goals (user_id, id);
