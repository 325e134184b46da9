# Applied once per account with an administrator's credentials and local state (it creates the
# bucket every other state lives in); keep its terraform.tfstate safe or import it later.
terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      service       = "tasks"
      "cost-center" = "tasks-shared"
    }
  }
}
