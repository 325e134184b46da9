resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:With no customer managed key (dev only, profile.customer_managed_keys = false) the log group keeps CloudWatch Logs' own encryption at rest; prod and staging pass their logs key
  name              = "/aws/lambda/${var.prefix}-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_key_arn
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:No VPC: the function reaches only AWS APIs (DynamoDB, SQS, SNS, S3, EventBridge, Step Functions), all IAM-authorized over TLS
  #checkov:skip=CKV_AWS_116:No asynchronous invocation: the API invokes synchronously, queues and the stream are polled (stream failures go to the on-failure destination)
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile in the deploy pipeline (docs/design.md §9), not built yet; the zips are built deterministically from the repository
  #checkov:skip=CKV_AWS_50:Active in prod; PassThrough where the environment's tfvars say so (dev, staging: traced only when a caller sampled, to keep X-Ray's bill small there, docs/cost.md)
  #checkov:skip=CKV_AWS_173:With no customer managed key (dev only, profile.customer_managed_keys = false) the environment is encrypted under aws/lambda; it holds names and ARNs, the one secret lives in Secrets Manager
  function_name                  = "${var.prefix}-${var.name}"
  description                    = var.function.description
  role                           = module.role.role_arn
  handler                        = var.function.handler
  runtime                        = var.function.runtime
  architectures                  = [var.function.architecture]
  memory_size                    = var.function.memory_size
  timeout                        = var.function.timeout
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  layers                         = var.layer_arns
  publish                        = true
  kms_key_arn                    = try(var.kms_key.arn, null) # null: aws/lambda
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  environment {
    variables = var.function.environment
  }

  tracing_config {
    mode = var.tracing_mode # Active samples 1 request a second and 5 % of the rest: Lambda's rate, no rule changes it
  }

  logging_config {
    log_format = "Text" # Powertools writes JSON lines itself
    log_group  = aws_cloudwatch_log_group.this.name
  }
}

# Every trigger invokes `live`: rolling back is pointing it at the previous version. Terraform creates
# it on the first version; from then on CodeDeploy moves it (modules/deployment), so a new version
# published here takes traffic only through a deployment that its alarms can roll back.
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}
