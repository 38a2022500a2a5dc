-- dbaudit: ignore[ban-drop-column] no code has read it since release 42
ALTER TABLE users ADD COLUMN legacy_flag_v2 TINYINT(1) NULL, ALGORITHM=INSTANT;
