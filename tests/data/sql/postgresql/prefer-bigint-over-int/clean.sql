SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TABLE IF NOT EXISTS page_views (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    visitor_id bigint NOT NULL
);
