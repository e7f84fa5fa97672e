-- What a person wants of their focus each day or week. `rest_days` is a
-- bit set of weekdays (bit 0 = Monday) that a day goal rests on.
CREATE TABLE goals (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    metric           TEXT    NOT NULL,
    comparison       TEXT    NOT NULL,
    target           BIGINT  NOT NULL,
    period           TEXT    NOT NULL,
    rest_days        BIGINT  NOT NULL DEFAULT 0,
    count_empty_days BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX goals_user ON goals (user_id, id);
