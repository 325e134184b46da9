# The statement every resource policy of ours starts with: nobody, not even this account, may call the
# service on these resources over plain HTTP. A bucket's policy (modules/bucket) is this statement alone;
# a queue's (modules/queue) starts with it, through source_policy_documents.
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["${var.service}:*"]
    resources = var.resources
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
