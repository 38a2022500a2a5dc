-- only objects created by this migration: no statement waits for or holds a lock anyone else needs
CREATE TYPE ticket_state AS ENUM ('open', 'closed');
CREATE TABLE IF NOT EXISTS tickets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state ticket_state NOT NULL DEFAULT 'open'
);
CREATE INDEX IF NOT EXISTS tickets_state_idx ON tickets (state);
