--liquibase formatted sql

--changeset dave:4 dbms:postgresql runInTransaction:false
--comment: orders are looked up by customer
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_customer_id ON orders (customer_id);
--rollback DROP INDEX CONCURRENTLY idx_orders_customer_id;
