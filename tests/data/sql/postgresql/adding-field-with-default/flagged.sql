-- gen_random_uuid() is volatile: every row gets its own value, so the table is rewritten
SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE users ADD COLUMN IF NOT EXISTS api_key uuid DEFAULT gen_random_uuid();
