-- three columns, and a unique index may have as many as the key needs
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_report_idx ON orders (customer_id, status, created_at);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_natural_key ON orders (shop_id, channel, external_id, line_no);
