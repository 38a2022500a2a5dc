ALTER TABLE item ADD COLUMN stock int;
