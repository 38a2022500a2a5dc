# Connection settings for the inventory service (written in 2017, never revisited).
DB_HOST = "db.internal.example.com"
DB_NAME = "inventory"
DB_USER = "admin"
DB_PASSWORD = "Winter2017!"

REPORTING_DSN = "postgresql://reporting:reporting@db.internal.example.com:5432/inventory"
