SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP EXTENSION IF EXISTS pg_trgm;
