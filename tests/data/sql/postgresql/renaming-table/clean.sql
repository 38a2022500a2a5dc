-- the new name as a view while code moves over
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE OR REPLACE VIEW customers AS SELECT * FROM customer;
