-- schema dump of the orders service
COMMENT ON SCHEMA public IS 'orders';
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
                        deleted_at timestamptz);
CREATE UNIQUE INDEX customers_name_live ON customers (name) WHERE deleted_at IS NULL;
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,
                     price numeric(12,2) NOT NULL, paid boolean NOT NULL DEFAULT false,
                     created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
                     deleted_at timestamptz);
CREATE INDEX orders_customer_idx ON orders (customer_id);
