provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "16.4"
  multi_az = true
}

resource "aws_db_instance" "orders_reader" {
  replicate_source_db = aws_db_instance.orders.identifier
}
