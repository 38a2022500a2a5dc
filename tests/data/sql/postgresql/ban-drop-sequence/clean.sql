SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE SEQUENCE IF NOT EXISTS invoice_number_seq;
