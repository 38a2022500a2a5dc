provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "16.4"

}

resource "aws_security_group" "db" {
  name = "db"
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }
}
