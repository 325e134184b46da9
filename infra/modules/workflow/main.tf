resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:With no customer managed key (dev only, profile.customer_managed_keys = false) the log group keeps CloudWatch Logs' own encryption at rest; prod and staging pass their logs key
  name              = "/aws/vendedlogs/states/${var.prefix}-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_key_arn
}

# Only names, ARNs and settings are substituted (STYLE 17); the placeholders are the template's.
resource "aws_sfn_state_machine" "this" {
  #checkov:skip=CKV_AWS_285:Execution history is logged (level ALL) without execution data: AwaitDecision's input holds the task token, a credential that must never reach a log
  name     = "${var.prefix}-${var.name}"
  type     = "STANDARD" # approvals wait for days
  role_arn = module.role.role_arn
  definition = templatefile(var.definition_path, {
    tasks_table              = var.tasks_table
    approvals_topic_arn      = var.approvals_topic_arn
    approval_timeout_seconds = var.approval_timeout_seconds
    web_url                  = var.web_url
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = false # the state input of AwaitDecision holds the task token, a credential
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  encryption_configuration {
    type                              = var.kms_key == null ? "AWS_OWNED_KEY" : "CUSTOMER_MANAGED_KMS_KEY"
    kms_key_id                        = try(var.kms_key.arn, null)
    kms_data_key_reuse_period_seconds = var.kms_key == null ? null : 300
  }
}
