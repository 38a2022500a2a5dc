SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE DOMAIN email_address AS text;
