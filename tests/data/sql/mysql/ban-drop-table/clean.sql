-- a scratch table created and dropped by the same migration
CREATE TABLE import_scratch (line TEXT);
DROP TABLE import_scratch;
