SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE active;
