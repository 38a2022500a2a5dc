-- the table is new, so a plain build blocks no one and CONCURRENTLY is not needed
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS shipments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS shipments_order_id_idx ON shipments (order_id);
