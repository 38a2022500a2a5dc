SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE measurements DETACH PARTITION measurements_2019;
