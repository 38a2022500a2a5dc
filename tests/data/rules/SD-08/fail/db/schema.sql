-- schema dump of the orders service
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, created_at timestamp NOT NULL DEFAULT now(),
                        updated_at timestamptz, deleted_at timestamptz);
CREATE UNIQUE INDEX customers_name_key ON customers (name);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,
                     coupon_code text, price double precision NOT NULL, paid boolean,
                     created_at timestamptz, updated_at timestamptz, is_deleted boolean NOT NULL DEFAULT false);
CREATE TABLE order_lines (order_id bigint, sku text, qty int, note text);
CREATE INDEX order_lines_order_idx ON order_lines (order_id);
CREATE INDEX order_lines_order_idx2 ON order_lines (order_id);
CREATE INDEX order_lines_order_sku_idx ON order_lines (order_id, sku);
CREATE TABLE "AuditTrail" (id bigint PRIMARY KEY, "eventName" text NOT NULL, customer_id bigint,
                           created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
