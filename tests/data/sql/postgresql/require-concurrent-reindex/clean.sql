SET lock_timeout = '2s';
SET statement_timeout = '60s';
REINDEX INDEX CONCURRENTLY orders_customer_id_idx;
