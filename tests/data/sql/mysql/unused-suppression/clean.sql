ALTER TABLE users DROP COLUMN legacy_flag;  -- dbaudit: ignore[ban-drop-column] unused since release 42
