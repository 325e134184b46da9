# CodeDeploy's role: read and move the `live` alias of this environment's functions, read their alarms.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}:%s:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
}

resource "aws_iam_role" "this" {
  name               = "${var.prefix}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "shift-live-aliases"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "LiveAliases"
    actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetFunction", "lambda:GetProvisionedConcurrencyConfig"]
    resources = flatten([for name in values(var.function_names) : ["${format(local.arn_prefix, "lambda")}:function:${name}", "${format(local.arn_prefix, "lambda")}:function:${name}:*"]])
  }

  statement {
    sid       = "Alarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = ["${format(local.arn_prefix, "cloudwatch")}:alarm:${var.prefix}-*"]
  }
}
