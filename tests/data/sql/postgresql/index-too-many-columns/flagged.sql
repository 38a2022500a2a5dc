SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_report_idx
    ON orders (customer_id, status, created_at, currency);
