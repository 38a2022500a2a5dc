-- the session ends with the transaction open: everything is rolled back
SET lock_timeout = '2s';
SET statement_timeout = '60s';
BEGIN;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;
