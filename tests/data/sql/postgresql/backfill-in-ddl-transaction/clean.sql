-- the schema change commits first; the backfill runs in its own transaction
SET lock_timeout = '2s';
SET statement_timeout = '60s';
BEGIN;
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_normalized text;
COMMIT;
BEGIN;
UPDATE users SET email_normalized = lower(email) WHERE id BETWEEN 1 AND 10000;
COMMIT;
