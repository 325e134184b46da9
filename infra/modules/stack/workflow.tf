module "workflow" {
  source                   = "../workflow"
  for_each                 = module.definitions.state_machine_files
  prefix                   = local.prefix
  name                     = each.key
  definition_path          = each.value
  tasks_table              = module.table["tasks"].table_name
  approvals_topic_arn      = aws_sns_topic.this["approvals"].arn
  approval_timeout_seconds = var.approval_timeout_seconds
  web_url                  = module.web.web_url
  statements               = module.definitions.state_machine_statements[each.key]
  kms_key                  = local.key["compute"]
  log_key_arn              = try(local.key["logs"].arn, null)
  log_retention_days       = var.log_retention_days
}
