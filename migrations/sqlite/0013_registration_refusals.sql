-- Registrations refused because the email already has an account, by
-- client address, kept 15 minutes. The contract answers such a
-- registration 409, which tells whoever asks that the email has an
-- account; past a few refusals an address may not register for a while,
-- so that probing a list of emails for accounts is slow. Kept in the
-- database so that every process counts the same refusals.
CREATE TABLE registration_refusals (
    id          INTEGER PRIMARY KEY,
    address     TEXT    NOT NULL,
    refused_at  INTEGER NOT NULL
);
CREATE INDEX registration_refusals_address ON registration_refusals (address, refused_at);
CREATE INDEX registration_refusals_at ON registration_refusals (refused_at);
