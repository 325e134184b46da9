# The execution role: what the ASL's integrations call (derived from the template by the definitions
# module), its own key, log delivery and X-Ray.
data "aws_region" "current" {}

resource "aws_iam_role" "this" {
  name               = "${var.prefix}-${var.name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "integrations"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = statement.value.condition == null ? [] : [statement.value.condition]
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["states.${data.aws_region.current.region}.amazonaws.com"]
    }
  }

  statement {
    #checkov:skip=CKV_AWS_111:CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (AWS documents Resource "*" for Step Functions logging)
    #checkov:skip=CKV_AWS_356:CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (AWS documents Resource "*" for Step Functions logging)
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
      "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }
}
