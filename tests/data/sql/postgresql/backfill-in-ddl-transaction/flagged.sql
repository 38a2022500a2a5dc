-- the UPDATE runs while the ALTER's ACCESS EXCLUSIVE lock is still held
SET lock_timeout = '2s';
SET statement_timeout = '60s';
BEGIN;
ALTER TABLE users ADD COLUMN IF NOT EXISTS email_normalized text;
UPDATE users SET email_normalized = lower(email);
COMMIT;
