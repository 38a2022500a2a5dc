SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP FUNCTION IF EXISTS order_total(bigint);
