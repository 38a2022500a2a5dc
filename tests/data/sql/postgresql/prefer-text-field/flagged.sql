SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS newsletters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject varchar(255) NOT NULL
);
