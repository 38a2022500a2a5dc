SET lock_timeout = '2s';
SET statement_timeout = '60s';
ALTER TABLE events ADD PRIMARY KEY (id);
