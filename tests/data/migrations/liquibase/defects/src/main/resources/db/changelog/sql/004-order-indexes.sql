--liquibase formatted sql

--changeset dave:4 dbms:postgresql
--comment: orders are looked up by customer
CREATE INDEX idx_orders_customer_id ON orders (customer_id);
--rollback DROP INDEX idx_orders_customer_id;
