SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);
