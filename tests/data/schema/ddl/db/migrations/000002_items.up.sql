CREATE TABLE order_items (
    order_id bigint NOT NULL,
    line_no int NOT NULL,
    product_sku text NOT NULL,
    qty integer NOT NULL DEFAULT 1 CHECK (qty > 0),
    CONSTRAINT order_items_pk PRIMARY KEY (order_id, line_no)
);

ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;

CREATE TABLE events (
    happened_at timestamptz NOT NULL,
    payload jsonb
);

ALTER TABLE orders RENAME COLUMN amount TO amount_eur;
ALTER TABLE orders ALTER COLUMN amount_eur SET NOT NULL;
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_active_coupon ON public.orders (coupon_id) WHERE coupon_id IS NOT NULL;
DROP INDEX IF EXISTS nothing_here;
