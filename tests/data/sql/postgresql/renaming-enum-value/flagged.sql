SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';
