-- ALGORITHM=INPLACE: the server refuses the change if it would have to copy the table
ALTER TABLE orders MODIFY COLUMN note VARCHAR(200), ALGORITHM=INPLACE, LOCK=NONE;
