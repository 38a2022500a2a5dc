SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP SEQUENCE IF EXISTS invoice_number_seq;
