# One customer managed key per kind of data, each rotated yearly. Services that encrypt on their own
# behalf (EventBridge into queues, CloudWatch into the alarm topic, Logs) are named in its policy.
#
# An environment without them (profile.customer_managed_keys = false: dev) keeps every kind encrypted at
# rest with a key AWS holds, where that serves (docs/cost.md): tables, stream and workflow data under
# AWS owned keys, queues under SQS's own (SSE-SQS), the archive under S3's (SSE-S3), the function and
# approval topics and the secret under AWS managed keys (aws/sns, aws/secretsmanager), environments
# under aws/lambda, logs under CloudWatch Logs' own encryption. What a customer managed key adds is its
# policy and its audit trail of every use: what dev's test data does not need. The one thing no AWS key
# serves is the alarm topic (CloudWatch may publish only through a key whose policy names it), so dev's
# alarm topic is not encrypted: it carries alarm names and states, no task data.
module "key" {
  source   = "../key"
  for_each = var.profile.customer_managed_keys ? local.keys : {}
  name     = "${local.prefix}-${each.key}"

  description        = each.value.description
  service_principals = each.value.principals
  service_conditions = each.value.conditions
}

locals {
  # Per kind: its key ({ arn }), or null where the environment keeps none. An object, not the ARN alone,
  # so that "is there a key" is known when Terraform plans, before the key (and its ARN) exists.
  key = { for kind in keys(local.keys) : kind => var.profile.customer_managed_keys ? { arn = try(module.key[kind].key_arn, null) } : null }
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
    logs = {
      description = "Log groups of ${local.prefix}"
      principals  = ["logs.${local.region}.amazonaws.com"]
      conditions  = [{ test = "ArnLike", variable = "kms:EncryptionContext:aws:logs:arn", values = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"] }]
    }
    compute = { description = "Function environments, workflow data and secrets of ${local.prefix}", principals = [], conditions = [] }
  }
}
