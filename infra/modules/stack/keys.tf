# One customer managed key per kind of data, each rotated yearly. Services that encrypt on their own
# behalf (EventBridge into queues, CloudWatch into the alarm topic, Logs) are named in its policy.
#
# An environment without them (profile.customer_managed_keys = false: dev) keeps every kind encrypted at
# rest with a key AWS holds wherever one serves (docs/cost.md): tables, stream and workflow data under
# AWS owned keys, queues under SQS's own (SSE-SQS), the archive under S3's (SSE-S3), the secret under
# aws/secretsmanager, environments under aws/lambda, logs under CloudWatch Logs' own encryption. What a
# customer managed key adds is its policy and its audit trail of every use: what dev's test data does
# not need. No AWS key serves the topics: CloudWatch publishes alarms only through a key whose policy
# names it, so the topics key stays (and the function and approval topics keep it too).
module "key" {
  source   = "../key"
  for_each = var.profile.customer_managed_keys ? local.keys : { for kind in local.no_aws_key_serves : kind => local.keys[kind] }
  name     = "${local.prefix}-${each.key}"

  description        = each.value.description
  service_principals = each.value.principals
  service_conditions = each.value.conditions
}

locals {
  # Per kind: its key ({ arn }), or null where the environment keeps none. An object, not the ARN alone,
  # so that "is there a key" is known when Terraform plans, before the key (and its ARN) exists.
  key               = { for kind in keys(local.keys) : kind => contains(keys(module.key), kind) ? { arn = module.key[kind].key_arn } : null }
  no_aws_key_serves = ["topics"]
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
