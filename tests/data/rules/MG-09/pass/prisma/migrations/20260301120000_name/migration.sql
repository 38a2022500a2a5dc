SET lock_timeout = '5s';
SET statement_timeout = '15min';
ALTER TABLE "User" ADD COLUMN IF NOT EXISTS "name" TEXT;
