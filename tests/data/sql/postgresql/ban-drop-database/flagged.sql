SET lock_timeout = '2s';
SET statement_timeout = '60s';
DROP DATABASE IF EXISTS legacy_reporting;
