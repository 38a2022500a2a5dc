SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';
