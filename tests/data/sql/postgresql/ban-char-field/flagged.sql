SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS countries (
    code char(2) PRIMARY KEY,
    name text NOT NULL
);
