-- This server's own name, made once when the database is made (or
-- upgraded): the calendar feed's event UIDs carry it, so that two
-- HyperFocus servers never give two events one UID. (Ids themselves are
-- never handed out twice here: identity columns draw from sequences, which
-- never go back, whatever is deleted.)
CREATE TABLE instance (
    id          INT    PRIMARY KEY CHECK (id = 1),
    uid         TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
INSERT INTO instance (id, uid, created_at)
    VALUES (1, replace(gen_random_uuid()::text, '-', ''), extract(epoch FROM now())::BIGINT);
