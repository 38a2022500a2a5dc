SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP SCHEMA IF EXISTS staging;
