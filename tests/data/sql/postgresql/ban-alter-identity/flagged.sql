SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE invoices ALTER COLUMN id DROP IDENTITY IF EXISTS;
