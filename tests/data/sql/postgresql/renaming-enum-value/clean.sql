-- add the new label; rows and code move to it before the old one is retired
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled' AFTER 'canceled';
