SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE DOMAIN positive_amount AS numeric(12, 2) CHECK (VALUE > 0);
