SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ALTER CONSTRAINT orders_customer_id_fkey DEFERRABLE INITIALLY DEFERRED;
