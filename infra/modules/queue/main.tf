locals {
  retention_seconds = 14 * 86400 # the SQS maximum: a dead letter outlives a long weekend
  # Without a customer managed key, SQS's own encryption (SSE-SQS): EventBridge sends to it with no grant.
  sqs_managed_sse = var.kms_key == null ? true : null
  kms_key_arn     = try(var.kms_key.arn, null)
}

resource "aws_sqs_queue" "dlq" {
  count                     = var.settings.dlq ? 1 : 0
  name                      = "${var.name}-dlq"
  message_retention_seconds = local.retention_seconds
  kms_master_key_id         = local.kms_key_arn
  sqs_managed_sse_enabled   = local.sqs_managed_sse
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.settings.visibility_timeout
  message_retention_seconds  = var.settings.dlq ? null : local.retention_seconds
  kms_master_key_id          = local.kms_key_arn
  sqs_managed_sse_enabled    = local.sqs_managed_sse
  redrive_policy = var.settings.dlq ? jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[0].arn
    maxReceiveCount     = var.settings.max_receive_count
  }) : null
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count     = var.settings.dlq ? 1 : 0
  queue_url = aws_sqs_queue.dlq[0].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.this.json
}

module "tls_only" {
  source    = "../tls-only"
  service   = "sqs"
  resources = [aws_sqs_queue.this.arn]
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = [module.tls_only.policy_json]

  dynamic "statement" {
    for_each = length(var.sender_rule_arns) > 0 ? [1] : []
    content {
      sid       = "RulesSend"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.this.arn]
      principals {
        type        = "Service"
        identifiers = ["events.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = var.sender_rule_arns
      }
    }
  }
}
