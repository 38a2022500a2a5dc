SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE orders ADD COLUMN IF NOT EXISTS
    estimated_delivery_date_according_to_the_carrier_at_time_of_dispatch date;
