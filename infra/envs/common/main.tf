# Shared by every environment root (dev, staging and prod link to this file); what differs is each
# root's backend.tf (its own state) and terraform.tfvars (its own settings).
provider "aws" {
  region = var.region
  default_tags {
    tags = {
      env           = var.env
      service       = "tasks"
      "cost-center" = var.cost_center
    }
  }
}

module "stack" {
  source                        = "../../modules/stack"
  env                           = var.env
  dist_dir                      = "${path.root}/../../../dist"
  deletion_protection           = var.deletion_protection
  log_retention_days            = var.log_retention_days
  retention_days                = var.retention_days
  approval_timeout_seconds      = var.approval_timeout_seconds
  consumer_reserved_concurrency = var.consumer_reserved_concurrency
  traffic_shifting              = var.traffic_shifting
  api_throttling                = var.api_throttling
  jwt_issuer                    = var.jwt_issuer
  jwt_audience                  = var.jwt_audience
  external_publisher_arns       = var.external_publisher_arns
  alarm_email                   = var.alarm_email
  profile                       = var.profile
  tracing                       = var.tracing
}
