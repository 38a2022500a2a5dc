SET lock_timeout = '2s';
SET statement_timeout = '60s';
UPDATE orders SET status = 'shipped', shipped_at = now() WHERE id = 42;
