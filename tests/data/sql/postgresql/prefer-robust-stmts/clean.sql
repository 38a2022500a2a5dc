SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS coupons (
    code text PRIMARY KEY,
    percent_off numeric(5, 2) NOT NULL
);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS coupon_code text;
