-- built concurrently; the index on refunds needs no CONCURRENTLY: the table is created in this migration
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
CREATE TABLE IF NOT EXISTS refunds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    amount numeric(12, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS refunds_order_id_idx ON refunds (order_id);
