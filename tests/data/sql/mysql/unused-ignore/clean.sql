-- squawk-ignore ban-drop-column -- unused since release 42
ALTER TABLE users DROP COLUMN legacy_flag;
