# CodeDeploy's role: read and move the `live` alias of this environment's functions, read their alarms.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}:%s:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
}

module "role" {
  source      = "../role"
  name        = "${var.prefix}-codedeploy"
  trust       = { principals = ["codedeploy.amazonaws.com"] }
  policy_name = "shift-live-aliases"
  statements = [
    {
      sid       = "LiveAliases"
      actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetFunction", "lambda:GetProvisionedConcurrencyConfig"]
      resources = flatten([for name in values(var.function_names) : ["${format(local.arn_prefix, "lambda")}:function:${name}", "${format(local.arn_prefix, "lambda")}:function:${name}:*"]])
    },
    {
      sid       = "Alarms"
      actions   = ["cloudwatch:DescribeAlarms"]
      resources = ["${format(local.arn_prefix, "cloudwatch")}:alarm:${var.prefix}-*"]
    },
  ]
}

moved {
  from = aws_iam_role.this
  to   = module.role.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.role.aws_iam_role_policy.this
}
