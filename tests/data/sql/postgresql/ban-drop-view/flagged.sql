SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP VIEW IF EXISTS active_users;
