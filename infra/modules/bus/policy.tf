# Who may put events on the bus: our publishers and the named external publishers, and our own
# source only from our publishers, so nobody else can forge a TaskCreated that bumps an owner's
# counters or overwrites their archive. Denies bind same-account IAM principals too.
resource "aws_cloudwatch_event_bus_policy" "this" {
  event_bus_name = aws_cloudwatch_event_bus.this.name
  policy         = data.aws_iam_policy_document.bus.json
}

data "aws_iam_policy_document" "bus" {
  statement {
    sid       = "PublishersPut"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this.arn]
    principals {
      type        = "AWS"
      identifiers = concat(var.publisher_role_arns, var.external_publisher_arns)
    }
  }

  statement {
    sid       = "NobodyElsePuts"
    effect    = "Deny"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = concat(var.publisher_role_arns, var.external_publisher_arns)
    }
  }

  statement {
    sid       = "OwnSourceOnlyFromOurPublishers"
    effect    = "Deny"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = [var.own_source]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = var.publisher_role_arns
    }
  }
}
