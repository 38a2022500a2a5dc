-- a new column, backfilled and switched to later
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_v2 numeric(14, 2);
