SET lock_timeout = '2s';
SET statement_timeout = '60s';
UPDATE orders SET status = 'paid', status = 'shipped' WHERE id = 42;
