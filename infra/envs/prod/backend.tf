# This environment's own state; bucket and region come from `make plan` / `make deploy`
# (-backend-config, from infra/bootstrap's outputs), so no account id is written here.
terraform {
  backend "s3" {
    key          = "tasks/prod.tfstate"
    encrypt      = true
    use_lockfile = true # S3 native locking (Terraform >= 1.10), no DynamoDB lock table
  }
}
