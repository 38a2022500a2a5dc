provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "16.4"
  multi_az = true
}

provider "aws" {
  alias  = "dr"
  region = "eu-central-1"
}

resource "aws_db_instance" "orders_dr" {
  provider            = aws.dr
  replicate_source_db = aws_db_instance.orders.arn
}
