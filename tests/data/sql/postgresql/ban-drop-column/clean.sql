-- step one of two: mark it; the drop follows once no deployed code uses the column
SET lock_timeout = '2s';
SET statement_timeout = '60s';
COMMENT ON COLUMN users.legacy_flag IS 'unused since release 42; drop after release 43';
