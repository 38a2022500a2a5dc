--liquibase formatted sql

--changeset dave:5 dbms:postgresql
ALTER TABLE orders ADD COLUMN total_cents bigint;
--rollback ALTER TABLE orders DROP COLUMN total_cents;
