SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check;
