-- a scratch table created and dropped in the same migration: nothing else can depend on it
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS import_scratch (line text);
INSERT INTO import_scratch (line) SELECT email FROM users WHERE email IS NOT NULL;
DROP TABLE IF EXISTS import_scratch;
