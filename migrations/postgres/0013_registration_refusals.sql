-- Registrations refused because the email already has an account, by
-- client address, kept 15 minutes, so that probing a list of emails for
-- accounts is slow; see the SQLite migration for the reasons.
CREATE TABLE registration_refusals (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address     TEXT   NOT NULL,
    refused_at  BIGINT NOT NULL
);
CREATE INDEX registration_refusals_address ON registration_refusals (address, refused_at);
CREATE INDEX registration_refusals_at ON registration_refusals (refused_at);
