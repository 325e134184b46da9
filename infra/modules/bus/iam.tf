# The role EventBridge assumes to start the state machines its rules target.
data "aws_region" "current" {}

resource "aws_iam_role" "targets" {
  name               = "${var.prefix}-bus-targets"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.this : rule.arn]
    }
  }
}

resource "aws_iam_role_policy" "targets" {
  name   = "start-executions"
  role   = aws_iam_role.targets.id
  policy = data.aws_iam_policy_document.targets.json
}

data "aws_iam_policy_document" "targets" {
  statement {
    actions   = ["states:StartExecution"]
    resources = distinct([for rule in var.rules : var.state_machine_arns[rule.state_machine] if rule.state_machine != null])
  }

  statement {
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.state_machine_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["states.${data.aws_region.current.region}.amazonaws.com"]
    }
  }
}
