# The execution role: what the ASL's integrations call (derived from the template by the definitions
# module), its own key, log delivery and X-Ray.
module "role" {
  #checkov:skip=CKV_AWS_111:CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (AWS documents Resource "*" for Step Functions logging)
  #checkov:skip=CKV_AWS_356:CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (AWS documents Resource "*" for Step Functions logging)
  source      = "../role"
  name        = "${var.prefix}-${var.name}"
  trust       = { principals = ["states.amazonaws.com"] }
  policy_name = "integrations"
  statements = concat(var.statements, [
    for key in var.kms_key[*] : { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [key.arn], kms_via_service = "states" }
    ], [
    {
      actions = [
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
      ]
      resources     = ["*"]
      justification = "CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (AWS documents Resource \"*\" for Step Functions logging)"
    },
  ])
}

moved {
  from = aws_iam_role.this
  to   = module.role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.role.aws_iam_role_policy.this
}
