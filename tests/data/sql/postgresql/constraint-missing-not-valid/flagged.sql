-- validated at once, and (second table) validated inside the transaction that added it
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
BEGIN;
ALTER TABLE invoices ADD CONSTRAINT invoices_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total_check;
COMMIT;
