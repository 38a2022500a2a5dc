CREATE INDEX item_sku ON item (sku);
