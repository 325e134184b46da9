# The role EventBridge assumes to start the state machines its rules target: only from those rules.
module "role" {
  source = "../role"
  name   = "${var.prefix}-bus-targets"
  trust = {
    principals = ["events.amazonaws.com"]
    conditions = [{ test = "ArnEquals", variable = "aws:SourceArn", values = [for rule in aws_cloudwatch_event_rule.this : rule.arn] }]
  }
  policy_name = "start-executions"
  statements = concat(
    [{
      actions   = ["states:StartExecution"]
      resources = distinct([for rule in var.rules : var.state_machine_arns[rule.state_machine] if rule.state_machine != null])
    }],
    [for key in var.state_machine_key[*] : { actions = ["kms:GenerateDataKey", "kms:Decrypt"], resources = [key.arn], kms_via_service = "states" }],
  )
}

moved {
  from = aws_iam_role.targets
  to   = module.role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.targets
  to   = module.role.aws_iam_role_policy.this
}
