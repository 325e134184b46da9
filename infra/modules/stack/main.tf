# One environment of the platform. Every function, queue, rule, route, table and permission comes
# from the repository's definition files through the definitions module: none is listed here.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  prefix    = "${var.env}-tasks"
  repo_root = "${path.module}/../../.."
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.region
  partition = data.aws_partition.current.partition
}

module "definitions" {
  source    = "../definitions"
  repo_root = local.repo_root
  region    = local.region
  # The manifests' ${...} placeholders, as the local runtime fills them (tasks_local.runtime.embedded_aws.resource_names).
  values = {
    tables   = { for key, table in module.table : key => table.table_name }
    bus      = { name = module.bus.bus_name }
    buckets  = { archive = module.archive_bucket.bucket_name }
    topics   = { notifications = aws_sns_topic.this["notifications"].arn }
    secrets  = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
    settings = { retention_days = var.retention_days, metrics_disabled = tostring(!var.profile.custom_metrics) }
  }
  arns = merge(
    { for key, table in module.table : "table/${key}" => table.table_arn },
    { for name, queue in module.queue : "queue/${name}" => queue.queue_arn },
    { for name, queue in module.queue : "queue/${name}-dlq" => queue.dlq_arn if module.definitions.queues[name].dlq },
    { for name, topic in aws_sns_topic.this : "topic/${name}" => topic.arn },
    { for name, machine in module.workflow : "stateMachine/${name}" => machine.state_machine_arn },
    { for key, secret in aws_secretsmanager_secret.this : "secret/${key}" => secret.arn },
    { "bucket/archive" = module.archive_bucket.bucket_arn, bus = module.bus.bus_arn },
  )
  # Only the kinds under a key of ours: the others need no grant.
  key_arns = {
    for kind, key in {
      table        = local.key["tables"]
      queue        = local.key["queues"]
      topic        = local.key["topics"]
      bucket       = local.key["bucket"]
      stateMachine = local.key["compute"]
      secret       = local.key["compute"]
    } : kind => key.arn if key != null
  }
  workflow_arns = {
    tasks_table         = module.table["tasks"].table_arn
    approvals_topic_arn = aws_sns_topic.this["approvals"].arn
  }
}

module "table" {
  source              = "../table"
  for_each            = module.definitions.tables
  name                = "${local.prefix}-${each.key}"
  definition          = each.value
  kms_key             = local.key["tables"]
  deletion_protection = var.deletion_protection
}

# The secrets the functions read at run time (the page-token signing key): in Secrets Manager under
# the compute key, read once per container with Powertools Parameters; the environment holds only
# the secret's ARN. The value is generated here and kept in the state, which is encrypted.
resource "random_password" "pagination" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:no automatic rotation: a new key invalidates every page token in flight (clients restart their listing); rotate by replacing random_password.pagination
  #checkov:skip=CKV_AWS_149:With no customer managed key (dev only, profile.customer_managed_keys = false) the secret is encrypted under aws/secretsmanager, which the tasks-api reads through Secrets Manager with no grant
  for_each                = toset(["pagination"])
  name                    = "${local.prefix}-${each.key}"
  description             = "The tasks API's page-token signing key (${var.env})."
  kms_key_id              = try(local.key["compute"].arn, null) # null: aws/secretsmanager
  recovery_window_in_days = var.deletion_protection ? 30 : 0
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each      = aws_secretsmanager_secret.this
  secret_id     = each.value.id
  secret_string = random_password.pagination.result
}
