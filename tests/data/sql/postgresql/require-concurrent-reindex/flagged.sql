SET lock_timeout = '2s';
SET statement_timeout = '60s';
REINDEX INDEX orders_customer_id_idx;
