-- with foreign_key_checks off InnoDB adds the key in place (check the existing rows separately)
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    ALGORITHM=INPLACE, LOCK=NONE;
SET foreign_key_checks = 1;
