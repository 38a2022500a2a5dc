SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- squawk-ignore prefer-robust-stmt
ALTER TABLE orders ADD COLUMN note text;
