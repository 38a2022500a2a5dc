SET lock_timeout = '5s';
SET statement_timeout = '15min';
CREATE TABLE IF NOT EXISTS item (id bigint PRIMARY KEY, sku text);
