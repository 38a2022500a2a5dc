SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_cents bigint
    GENERATED ALWAYS AS ((total * 100)::bigint) STORED;
