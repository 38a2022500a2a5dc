SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER INDEX orders_idx RENAME TO orders_customer_id_idx;
