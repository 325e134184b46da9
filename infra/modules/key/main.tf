data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.this.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" is this key alone; the account administers it and IAM policies grant its use
  # The account administers the key and delegates its use to IAM policies (each role's own grants).
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"] # in a key policy, "*" is this key
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.service_principals) > 0 ? [1] : []
    content {
      sid       = "ServicesEncrypt"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt", "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = var.service_principals
      }
      dynamic "condition" {
        for_each = var.service_conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}
