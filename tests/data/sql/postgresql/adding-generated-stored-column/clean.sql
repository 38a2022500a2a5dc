-- PostgreSQL 18: a virtual generated column is computed on read, nothing is rewritten
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS total_cents bigint
    GENERATED ALWAYS AS ((total * 100)::bigint) VIRTUAL;
