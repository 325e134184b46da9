# Shared by every environment root (dev, staging and prod link to this file).
terraform {
  required_version = ">= 1.10" # S3 backend native locking (use_lockfile)
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}
