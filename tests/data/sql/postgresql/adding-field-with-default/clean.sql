-- constant and stable defaults are stored once in the catalog (PostgreSQL 11+), nothing is rewritten
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE users ADD COLUMN IF NOT EXISTS active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN IF NOT EXISTS joined_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN IF NOT EXISTS signup_date date DEFAULT current_date;
ALTER TABLE users ADD COLUMN IF NOT EXISTS tags text[] DEFAULT ARRAY[]::text[];
ALTER TABLE users ADD COLUMN IF NOT EXISTS settings jsonb DEFAULT '{}'::jsonb;
ALTER TABLE users ADD COLUMN IF NOT EXISTS retry_limit bigint DEFAULT -1;
ALTER TABLE users ADD COLUMN IF NOT EXISTS trial_period interval DEFAULT make_interval(days => 30);
ALTER TABLE users ADD COLUMN IF NOT EXISTS quota bigint DEFAULT (10 * 1024);
