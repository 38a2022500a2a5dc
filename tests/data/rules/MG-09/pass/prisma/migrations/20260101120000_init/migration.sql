SET lock_timeout = '5s';
SET statement_timeout = '15min';
CREATE TABLE IF NOT EXISTS "User" ("id" BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "email" TEXT NOT NULL);
