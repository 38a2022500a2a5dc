resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "16.6"
  username       = "orders_admin"
  password       = "Tf-Master-Secret-88z"
}
