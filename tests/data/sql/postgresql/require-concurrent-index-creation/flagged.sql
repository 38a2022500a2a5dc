-- a plain index build blocks writes to orders for the whole build
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
