# Queues named by the manifests (each consumer's, with its DLQ; each stream's on-failure queue), the
# bus's own DLQ for undeliverable targets, and the topics the functions and the workflow publish to.
module "queue" {
  source           = "../queue"
  for_each         = module.definitions.queues
  name             = "${local.prefix}-${each.key}"
  settings         = each.value
  kms_key          = local.key["queues"]
  sender_rule_arns = [for rule, target in module.definitions.rules : module.bus.rule_arns[rule] if target.queue == each.key]
}

module "bus_dlq" {
  source           = "../queue"
  name             = "${local.prefix}-bus-dlq"
  settings         = { visibility_timeout = 30, dlq = false }
  kms_key          = local.key["queues"]
  sender_rule_arns = values(module.bus.rule_arns)
}

# notifications: the consumers tell assignees; approvals: the approval workflow tells approvers.
resource "aws_sns_topic" "this" {
  for_each          = toset(["notifications", "approvals"])
  name              = "${local.prefix}-${each.key}"
  kms_master_key_id = local.key["topics"].arn
}

module "bus" {
  source                  = "../bus"
  prefix                  = local.prefix
  rules                   = module.definitions.rules
  archive                 = module.definitions.archive
  queue_arns              = { for name, queue in module.queue : name => queue.queue_arn }
  state_machine_arns      = { for name, machine in module.workflow : name => machine.state_machine_arn }
  dead_letter_arn         = module.bus_dlq.queue_arn
  state_machine_key       = local.key["compute"]
  own_source              = module.definitions.event_source
  external_publisher_arns = var.external_publisher_arns
  publisher_role_arns     = [for name in module.definitions.publishers : module.function[name].role_arn]
}
