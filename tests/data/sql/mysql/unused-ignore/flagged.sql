-- squawk-ignore ban-drop-colum -- unused since release 42
ALTER TABLE users DROP COLUMN legacy_flag;
