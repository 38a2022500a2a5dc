DATABASE_URL = "postgresql://postgres@orders.internal.example.com:5432/orders?sslmode=verify-full"
