CREATE INDEX CONCURRENTLY account_email ON account (email);
