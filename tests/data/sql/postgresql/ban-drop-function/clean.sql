SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE OR REPLACE FUNCTION order_total(order_id bigint) RETURNS numeric
    LANGUAGE sql STABLE AS 'SELECT sum(amount) FROM order_lines WHERE order_lines.order_id = $1';
