SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS audit_events (
    id bigserial PRIMARY KEY,
    body jsonb NOT NULL
);
