DATABASE_URL = "postgresql://orders_app:Tr0ub4dor-and-3@orders.internal.example.com:5432/orders"
