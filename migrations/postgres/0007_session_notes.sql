-- What a person meant to work on in a session ("chapter 3", "tax return"),
-- written when it starts and corrected later; empty when they gave none.
ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';
