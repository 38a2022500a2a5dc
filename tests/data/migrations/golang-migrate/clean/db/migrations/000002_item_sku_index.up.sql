CREATE INDEX CONCURRENTLY item_sku ON item (sku);
