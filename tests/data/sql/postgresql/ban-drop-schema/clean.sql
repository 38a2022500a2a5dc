SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE SCHEMA IF NOT EXISTS staging;
