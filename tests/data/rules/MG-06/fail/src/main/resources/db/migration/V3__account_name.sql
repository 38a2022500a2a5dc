ALTER TABLE account ADD COLUMN name text;
