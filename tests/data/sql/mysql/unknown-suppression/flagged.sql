-- dbaudit: ignore[ban-drop-colum] no code has read it since release 42
ALTER TABLE users DROP COLUMN legacy_flag;
