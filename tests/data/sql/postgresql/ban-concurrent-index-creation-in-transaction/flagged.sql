-- PostgreSQL refuses CONCURRENTLY inside a transaction block
SET lock_timeout = '2s';
SET statement_timeout = '60s';
BEGIN;
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);
COMMIT;
