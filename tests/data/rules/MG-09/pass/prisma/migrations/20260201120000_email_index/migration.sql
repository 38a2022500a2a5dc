-- dbaudit: ignore[require-lock-timeout, require-statement-timeout] lock_timeout and statement_timeout come from the connection's options
CREATE INDEX CONCURRENTLY IF NOT EXISTS "User_email_idx" ON "User"("email");
