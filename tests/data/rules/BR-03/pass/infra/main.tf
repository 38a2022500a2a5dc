provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "16.4"
  backup_retention_period = 14
  skip_final_snapshot = false
  deletion_protection = true
}
