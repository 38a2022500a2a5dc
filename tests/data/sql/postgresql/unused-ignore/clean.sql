SET lock_timeout = '2s';
SET statement_timeout = '60s';
-- squawk-ignore prefer-robust-stmts -- the migration tool retries the whole file
ALTER TABLE orders ADD COLUMN note text;
