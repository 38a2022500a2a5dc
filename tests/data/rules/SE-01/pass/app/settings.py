DATABASE_URL = "postgresql://orders_app@orders.internal.example.com:5432/orders?sslmode=verify-full"
