-- no transaction: a failure after the first statement leaves it applied and the file cannot be re-run
SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE coupons (
    code text PRIMARY KEY,
    percent_off numeric(5, 2) NOT NULL
);
ALTER TABLE orders ADD COLUMN coupon_code text;
