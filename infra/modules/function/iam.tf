# One role per function: exactly its manifest's statements (ARNs from the definitions module), plus
# its own log group and X-Ray.
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
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "manifest"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.function.statements
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
    actions   = ["kms:Decrypt"] # its environment, encrypted with the compute key
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${data.aws_region.current.region}.amazonaws.com"]
    }
  }

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    #checkov:skip=CKV_AWS_111:X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS requires "*")
    #checkov:skip=CKV_AWS_356:X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions (AWS requires "*")
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}
