-- PostgreSQL 12+: a validated CHECK (email IS NOT NULL) lets SET NOT NULL skip the scan
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
