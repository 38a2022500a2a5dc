ALTER TABLE orders ADD INDEX orders_created_at_idx (created_at), LOCK=SHARED;
