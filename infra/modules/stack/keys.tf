# One customer managed key per kind of data, each rotated yearly. Services that encrypt on their own
# behalf (EventBridge into queues, CloudWatch into the alarm topic, Logs) are named in its policy.
module "key" {
  source   = "../key"
  for_each = local.keys
  name     = "${local.prefix}-${each.key}"

  description        = each.value.description
  service_principals = each.value.principals
  service_conditions = each.value.conditions
}

locals {
  keys = {
    tables = { description = "DynamoDB tables and streams of ${local.prefix}", principals = [], conditions = [] }
    queues = {
      description = "SQS queues of ${local.prefix}"
      principals  = ["events.amazonaws.com"]
      conditions  = [{ test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${local.partition}:events:${local.region}:${local.account}:rule/${local.prefix}-bus/*"] }]
    }
    topics = {
      description = "SNS topics of ${local.prefix}"
      principals  = ["cloudwatch.amazonaws.com"]
      conditions  = [{ test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account}:alarm:${local.prefix}-*"] }]
    }
    bucket = { description = "Archive bucket of ${local.prefix}", principals = [], conditions = [] }
    web = {
      description = "The web app's bucket of ${local.prefix}, which its CloudFront distribution reads"
      principals  = ["cloudfront.amazonaws.com"]
      conditions  = [{ test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${local.partition}:cloudfront::${local.account}:distribution/*"] }]
    }
    logs = {
      description = "Log groups of ${local.prefix}"
      principals  = ["logs.${local.region}.amazonaws.com"]
      conditions  = [{ test = "ArnLike", variable = "kms:EncryptionContext:aws:logs:arn", values = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"] }]
    }
    compute = { description = "Function environments, workflow data and secrets of ${local.prefix}", principals = [], conditions = [] }
  }
}
