SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS countries (
    code text PRIMARY KEY CHECK (char_length(code) = 2),
    name text NOT NULL
);
