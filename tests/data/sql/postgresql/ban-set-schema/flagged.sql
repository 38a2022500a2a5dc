SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE audit_log SET SCHEMA archive;
