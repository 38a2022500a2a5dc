ALTER TABLE account ADD COLUMN phone text;
